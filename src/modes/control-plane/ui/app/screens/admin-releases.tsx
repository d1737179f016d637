// The release catalog in the admin console: every executor release with its channel, status, platforms and
// signing key, and Yank (confirmed) for a published one. Publishing is scripts/release.ts (docs/releases.md).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { describeError, request } from "../api/graphql.ts";
import { RELEASES, type ReleaseView, YANK_RELEASE } from "../api/releases.ts";
import { Dialog, EmptyState, ErrorNote, formatTime } from "../components/ui.tsx";

function YankDialog({ target, onClose }: { target: ReleaseView | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const yank = useMutation({
    mutationFn: (r: ReleaseView) => request(YANK_RELEASE, { id: r.id }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["admin", "releases"] });
      close();
    },
  });
  const close = () => {
    yank.reset();
    onClose();
  };
  return (
    <Dialog
      open={target !== null}
      title={`Yank ${target?.kind ?? ""} ${target?.version ?? ""}?`}
      onClose={close}
    >
      <p>
        It stops being an upgrade candidate and an installer download. Executors that run it keep running it.
      </p>
      <ErrorNote error={yank.error ? describeError(yank.error) : null} />
      <div className="dialog-buttons">
        <button type="button" onClick={close}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          disabled={yank.isPending || target === null}
          onClick={() => target && yank.mutate(target)}
        >
          Yank release
        </button>
      </div>
    </Dialog>
  );
}

export function AdminReleases() {
  const query = useQuery({ queryKey: ["admin", "releases"], queryFn: () => request(RELEASES) });
  const [target, setTarget] = useState<ReleaseView | null>(null);
  const rows = query.data?.executorReleases ?? [];
  return (
    <section aria-labelledby="admin-releases-title">
      <h2 id="admin-releases-title">Release catalog</h2>
      <ErrorNote error={query.error ? describeError(query.error) : null} />
      {query.isSuccess && rows.length === 0 ? (
        <EmptyState>No releases yet: publish one with scripts/release.ts.</EmptyState>
      ) : null}
      {rows.length > 0 ? (
        <table aria-labelledby="admin-releases-title">
          <thead>
            <tr>
              <th scope="col">Release</th>
              <th scope="col">Channel</th>
              <th scope="col">Status</th>
              <th scope="col">Platforms</th>
              <th scope="col">Published</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>
                  {r.kind} {r.version}
                </td>
                <td>{r.channel}</td>
                <td>
                  <span className={`badge tone-${r.status === "published" ? "good" : "muted"}`}>
                    {r.status}
                  </span>
                </td>
                <td>{r.artifacts.map((a) => `${a.platform} (key ${a.keyId})`).join(", ")}</td>
                <td>{formatTime(r.publishedAt)}</td>
                <td>
                  {r.status === "published" ? (
                    <button type="button" onClick={() => setTarget(r)}>
                      Yank<span className="sr-only"> {r.version}</span>
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <YankDialog target={target} onClose={() => setTarget(null)} />
    </section>
  );
}
