// Reads a HOCON file with Typesafe Config (the parser java-tron uses) and prints its resolved tree as JSON,
// so a test can compare what java-tron would read with the model Novacula rendered.
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import java.io.File;

public class HoconToJson {
  public static void main(String[] args) {
    // parseFile, as java-tron's Configuration.getByFileName does for a config file given with -c.
    Config config = ConfigFactory.parseFile(new File(args[0])).resolve();
    System.out.println(config.root().render(ConfigRenderOptions.concise()));
  }
}
