import Link from "next/link";
import { Button } from "@/components/ui/button";

export default function Forbidden() {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center gap-3 text-center">
      <h1 className="text-2xl font-semibold">You don’t have access to this page</h1>
      <p className="max-w-md text-sm text-muted-foreground">
        Your role does not include this part of the console. If you need it, ask an admin to change your role.
      </p>
      <Button asChild variant="outline">
        <Link href="/customers">Back to customers</Link>
      </Button>
    </main>
  );
}
