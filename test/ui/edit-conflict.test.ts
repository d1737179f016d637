// Two people editing one node cannot silently undo each other: while Edit configuration is open, someone
// else's saved edit makes the form say so and refuse to save (the server refuses such a save too, by
// expectedRevision); a start or stop meanwhile only moves the revision, and the edit then saves on top of
// it. Real browser, real control plane; the executor exists through the executor protocol.
import { expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { createNode, DEVNET_SPEC, syncExecutor } from "../control-plane/protocol-client.ts";
import { LIVE, screensWorld, T } from "./screens-kit.ts";

const world = screensWorld("ui-edit-conflict");

const updateNode = (cookie: string, id: string, blockTimeSecs: number) =>
  world.api.ok(
    "mutation($id: ID!, $spec: JSON!) { updateNode(where: { id: $id }, data: { spec: $spec }) { revision } }",
    { id, spec: { ...DEVNET_SPEC, settings: { blockTimeSecs } } },
    { cookie },
  );

test(
  "an edit someone else saved meanwhile blocks the open form's save; a stop meanwhile does not",
  async () => {
    const owner = await world.api.user("Editor");
    const { key } = await world.api.executorKey({ cookie: owner.cookie }, "edit-key");
    const { executorId } = await syncExecutor(world.cp, key, "edit-host");
    const node = await createNode(world.cp, owner.cookie, executorId, "shared-node");
    const w = await world.signedIn(owner, `/nodes/${node.id}`);
    const { page } = w;
    const form = page.getByRole("form", { name: /Edit configuration/ });
    const save = form.getByRole("button", { name: "Save as a new revision" });

    // Someone else saves block time 3 while this form is open.
    await page.getByRole("button", { name: "Edit configuration" }).click();
    await form.getByLabel("blockTimeSecs").fill("2");
    expect(await save.isEnabled()).toBe(true);
    await updateNode(owner.cookie, node.id, 3);
    await form.getByText("The configuration changed (now revision 2) since you opened this form").waitFor();
    expect(await save.isDisabled()).toBe(true);
    await form.getByRole("button", { name: "Cancel" }).click();

    // A stop meanwhile: the edit saves on top of it, and the node stays stopped.
    await page.getByRole("button", { name: "Edit configuration" }).click();
    await form.getByLabel("blockTimeSecs").fill("5");
    await world.api.ok(
      "mutation($id: ID!) { requestNodeLifecycleAction(id: $id, action: stop) { revision } }",
      { id: node.id },
      { cookie: owner.cookie },
    );
    await page.getByText("desired stopped").waitFor({ timeout: LIVE.timeoutMs });
    expect(await form.getByText("since you opened this form").count()).toBe(0);
    await save.click();
    await eventually(
      async () => {
        const { node: now } = await world.api.ok(
          "query($id: ID!) { node(where: { id: $id }) { revision desiredState spec } }",
          { id: node.id },
          { cookie: owner.cookie },
        );
        return now.revision === 4 && now.desiredState === "stopped" && now.spec.settings.blockTimeSecs === 5;
      },
      { ...LIVE, message: "revision 4: block time 5, still stopped" },
    );
    expect(w.problems).toEqual([]);
    await w.context.close();
  },
  T,
);
