// The real HOCON parser for tests: Typesafe Config at the version java-tron pins, fetched once from Maven
// Central with mvn (cached in ~/.m2) and run with the machine's JDK through a one-file Java program.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** java-tron GreatVoyage-v4.8.0's build.gradle: com.typesafe:config:1.3.2. */
export const TYPESAFE_CONFIG_VERSION = "1.3.2";
const JAR = join(
  homedir(),
  `.m2/repository/com/typesafe/config/${TYPESAFE_CONFIG_VERSION}/config-${TYPESAFE_CONFIG_VERSION}.jar`,
);

/** The jar's path, fetching it when absent; null (with the reason) when this machine has no mvn or java. */
export function typesafeConfigJar(): { jar: string } | { missing: string } {
  if (!Bun.which("java")) return { missing: "no java on this machine" };
  if (!existsSync(JAR)) {
    if (!Bun.which("mvn")) return { missing: "no mvn on this machine to fetch com.typesafe:config" };
    const fetched = Bun.spawnSync(
      [
        "mvn",
        "-q",
        "-B",
        "dependency:get",
        `-Dartifact=com.typesafe:config:${TYPESAFE_CONFIG_VERSION}`,
        "-Dtransitive=false",
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    if (fetched.exitCode !== 0 || !existsSync(JAR))
      throw new Error(`mvn could not fetch com.typesafe:config: ${fetched.stdout.toString().slice(-2000)}`);
  }
  return { jar: JAR };
}

/** The tree Typesafe Config reads from a HOCON file, as JSON. */
export function parseHoconFile(jar: string, file: string): unknown {
  const run = Bun.spawnSync(["java", "-cp", jar, join(import.meta.dir, "HoconToJson.java"), file], {
    stdout: "pipe",
    stderr: "pipe",
  });
  if (run.exitCode !== 0) throw new Error(`Typesafe Config refused ${file}: ${run.stderr.toString()}`);
  return JSON.parse(run.stdout.toString());
}
