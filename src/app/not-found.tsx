import Link from "next/link";
import { Button } from "@/components/ui/button";

export default function NotFound() {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center gap-3 text-center">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="text-sm text-muted-foreground">Nothing lives at this address. It may have been removed, or the link is wrong.</p>
      <Button asChild variant="outline">
        <Link href="/customers">Back to customers</Link>
      </Button>
    </main>
  );
}
