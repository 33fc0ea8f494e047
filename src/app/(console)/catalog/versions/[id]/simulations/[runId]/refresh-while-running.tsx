"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Re-reads the server-rendered page every few seconds while the run is still going. */
export function RefreshWhileRunning({ running }: { running: boolean }) {
  const router = useRouter();
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => router.refresh(), 2000);
    return () => clearInterval(timer);
  }, [running, router]);
  return null;
}
