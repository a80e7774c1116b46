import { AccessPanel } from "@/components/auth/access-panel";

/** Rendered with HTTP 403 wherever a guard calls forbidden() (next/navigation). */
export default function Forbidden() {
  return <AccessPanel kind="forbidden" />;
}
