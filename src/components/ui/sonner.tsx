"use client";

import { Toaster as Sonner, type ToasterProps } from "sonner";

/** Mounted once in the console layout; call `toast.success(...)` / `toastError(error)` anywhere below it. */
export function Toaster(props: ToasterProps) {
  return <Sonner position="top-right" richColors closeButton duration={6000} toastOptions={{ classNames: { toast: "text-sm" } }} {...props} />;
}
