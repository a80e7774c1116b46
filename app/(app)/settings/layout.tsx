import { Tabs } from "@/components/layout/tabs";

const tabs = [
  { href: "/settings/tokens", label: "API tokens" },
  { href: "/settings/password", label: "Password" },
];

export default function SettingsLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="space-y-8">
      <div className="space-y-4">
        <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
        <Tabs tabs={tabs} />
      </div>
      {children}
    </div>
  );
}
