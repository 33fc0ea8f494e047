import { Badge } from "@/components/ui/badge";

const variants = { draft: "secondary", finalized: "default", paid: "success", void: "outline", uncollectible: "destructive" } as const;

export function InvoiceStatusBadge({ status }: { status: keyof typeof variants }) {
  return <Badge variant={variants[status]}>{status}</Badge>;
}
