// The sidebar's organization header (reference §7, §6.12): the active organization's logo and name and,
// for someone in several organizations, a switcher that moves this session to another one (the session's
// active organization: every screen then shows that organization's data).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError, request } from "../api/graphql.ts";
import { viewerQuery } from "../api/queries.ts";
import { ORGANIZATIONS, SET_ACTIVE_ORGANIZATION } from "../api/tenancy.ts";
import { ErrorNote } from "../components/ui.tsx";

export function OrganizationSwitcher() {
  const queryClient = useQueryClient();
  const active = useQuery(viewerQuery).data?.organization ?? null;
  const list =
    useQuery({ queryKey: ["organizations"], queryFn: () => request(ORGANIZATIONS) }).data?.organizations ??
    [];
  const current = list.find((o) => o.id === active?.id);
  const others = list.filter((o) => o.active || o.id === active?.id);
  const change = useMutation({
    mutationFn: (id: string) => request(SET_ACTIVE_ORGANIZATION, { id }),
    // Every cached answer belonged to the previous organization.
    onSuccess: () => queryClient.resetQueries(),
  });
  const name = active?.name ?? "No organization";
  return (
    <div className="org">
      {current?.logo ? (
        <img className="org-logo" src={current.logo} alt="" />
      ) : (
        <span className="org-logo" aria-hidden="true">
          {name.slice(0, 1).toUpperCase()}
        </span>
      )}
      {others.length > 1 && active ? (
        <select
          className="org-switcher"
          aria-label="Organization"
          value={active.id}
          disabled={change.isPending}
          onChange={(e) => change.mutate(e.target.value)}
        >
          {others.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      ) : (
        <span className="org-name">{name}</span>
      )}
      <ErrorNote error={change.error ? describeError(change.error) : null} />
    </div>
  );
}
