// The shell's notice that live updates stopped: shown while the stream to the control plane is down (it
// reconnects by itself and then refetches what is on screen), gone as soon as it is back. The status
// region is always there, so screen readers announce the notice when it appears.
import { useLiveStatus } from "../api/live.ts";
import "./live-banner.css";

export function LiveBanner() {
  const disconnected = useLiveStatus() === "disconnected";
  return (
    <div role="status" className={disconnected ? "banner-disconnected" : "sr-only"}>
      {disconnected
        ? "Disconnected — reconnecting… What you see may be out of date until the connection is back."
        : ""}
    </div>
  );
}
