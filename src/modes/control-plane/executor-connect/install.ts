// Install commands and the agent installer script this control plane serves at GET /install.sh. The key
// travels in an environment variable of the piped shell, never in a URL (URLs end up in proxy logs).
// The script is a fixed text with no per-request values: everything variable comes from the environment.
import { isLoopbackUrl } from "../config.ts";

/** POSIX single-quoting. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

export interface InstallTarget {
  name: string;
  channel: string;
  key: string;
}

/**
 * A first line for commands whose URL names this machine only (BETTER_AUTH_URL unset or loopback): run on
 * another host it would reach that host itself. A shell comment, so pasting the command still works here.
 */
export function loopbackNotice(publicUrl: string): string {
  if (!isLoopbackUrl(publicUrl)) return "";
  return `# warning: ${publicUrl} is a loopback address: this command works only on this machine. For other hosts, set BETTER_AUTH_URL on the control plane to an address they reach, and connect again.\n`;
}

export function agentInstallCommand(publicUrl: string, t: InstallTarget): string {
  return (
    loopbackNotice(publicUrl) +
    [
      `curl -fsSL ${shellQuote(`${publicUrl}/install.sh`)} | sudo`,
      `NOVACULA_URL=${shellQuote(publicUrl)}`,
      `NOVACULA_NAME=${shellQuote(t.name)}`,
      `NOVACULA_CHANNEL=${shellQuote(t.channel)}`,
      `NOVACULA_ACCESS_TOKEN=${shellQuote(t.key)}`,
      "sh",
    ].join(" ")
  );
}

/** Chart repository: the reference leaves it open; override per deployment with the helm repo you mirror. */
export const HELM_REPO_URL = "https://charts.novacula.dev";

export function operatorInstallCommand(publicUrl: string, t: InstallTarget): string {
  return (
    loopbackNotice(publicUrl) +
    [
      `helm repo add novacula ${HELM_REPO_URL} && helm repo update &&`,
      "kubectl create namespace novacula-system --dry-run=client -o yaml | kubectl apply -f - &&",
      "kubectl -n novacula-system create secret generic novacula-operator-auth",
      `--from-literal=accessToken=${shellQuote(t.key)} --dry-run=client -o yaml | kubectl apply -f - &&`,
      "helm upgrade --install novacula-operator novacula/novacula-operator -n novacula-system",
      `--set operator.controlPlaneUrl=${shellQuote(publicUrl)}`,
      `--set operator.operatorName=${shellQuote(t.name)}`,
      `--set operator.channel=${shellQuote(t.channel)}`,
    ].join(" ")
  );
}

/**
 * The agent installer (reference §6.3, steps 1–4): download the novacula binary for this host's
 * architecture from the control plane, write
 * /etc/novacula/agent.toml (root, 600), install the units, start the agent. Idempotent: re-running it
 * with a new key rewrites the config and restarts the agent.
 */
export const INSTALL_SCRIPT = `#!/bin/sh
# Novacula agent installer, served by your control plane.
# Usage: curl -fsSL <control-plane>/install.sh | sudo NOVACULA_URL=… NOVACULA_NAME=… NOVACULA_CHANNEL=stable NOVACULA_ACCESS_TOKEN=exc_… sh
set -eu

fail() { echo "novacula-install: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (pipe into sudo ... sh)"
[ -n "\${NOVACULA_URL:-}" ] || fail "NOVACULA_URL is not set"
[ -n "\${NOVACULA_ACCESS_TOKEN:-}" ] || fail "NOVACULA_ACCESS_TOKEN is not set"
case "$NOVACULA_ACCESS_TOKEN" in exc_*) ;; *) fail "NOVACULA_ACCESS_TOKEN must be an executor key (exc_...)";; esac
NAME="\${NOVACULA_NAME:-$(hostname)}"
CHANNEL="\${NOVACULA_CHANNEL:-stable}"
case "$NAME" in *[!A-Za-z0-9._-]*|"") fail "NOVACULA_NAME may hold letters, digits, '.', '_' and '-' only";; esac
case "$CHANNEL" in stable|beta|dev) ;; *) fail "NOVACULA_CHANNEL must be stable, beta or dev";; esac
command -v systemctl >/dev/null 2>&1 || fail "systemd is required"
command -v curl >/dev/null 2>&1 || fail "curl is required"

BIN=/usr/local/bin/novacula
CONFIG=/etc/novacula/agent.toml

# The binary for this host's own architecture (the control plane may run on another one).
case "$(uname -m)" in
  x86_64|amd64) PLATFORM=linux-x64 ;;
  aarch64|arm64) PLATFORM=linux-arm64 ;;
  *) fail "this host's architecture $(uname -m) has no novacula build (linux x86_64 and aarch64 only)";;
esac
[ "$(uname -s)" = Linux ] || fail "the agent runs on Linux only"

echo "novacula-install: downloading novacula ($PLATFORM) from $NOVACULA_URL"
TMP="$(mktemp "$BIN.download.XXXXXX")"
trap 'rm -f "$TMP"' EXIT
STATUS="$(curl -sSL -o "$TMP" -w '%{http_code}' "$NOVACULA_URL/download/novacula?platform=$PLATFORM")" ||
  fail "could not reach $NOVACULA_URL (is it the address this host reaches the control plane at?)"
if [ "$STATUS" != 200 ]; then
  echo "novacula-install: the control plane answered HTTP $STATUS:" >&2
  head -c 2000 "$TMP" >&2; echo >&2
  fail "no novacula binary for $PLATFORM; see the message above"
fi
chmod 755 "$TMP"
"$TMP" --version >/dev/null 2>&1 || fail "the downloaded file does not run on this host ($PLATFORM)"
mv -f "$TMP" "$BIN"
trap - EXIT

echo "novacula-install: writing $CONFIG"
umask 077
mkdir -p /etc/novacula
cat > "$CONFIG.tmp" <<EOF
[agent]
name = "$NAME"
channel = "$CHANNEL"

[control_plane]
url = "$NOVACULA_URL"
access_token = "$NOVACULA_ACCESS_TOKEN"
EOF
chown root:root "$CONFIG.tmp"
chmod 600 "$CONFIG.tmp"
mv -f "$CONFIG.tmp" "$CONFIG"

echo "novacula-install: installing the systemd units"
"$BIN" agent install --config "$CONFIG" --binary "$BIN"
systemctl restart novacula-agent
echo "novacula-install: done; follow it with: journalctl -u novacula-agent -f"
`;
