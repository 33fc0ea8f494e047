"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useId, type ComponentProps, type ReactNode } from "react";
import {
  Controller,
  FormProvider,
  useForm,
  useFormContext,
  type Control,
  type ControllerRenderProps,
  type FieldPath,
  type FieldValues,
  type Path,
  type SubmitHandler,
  type UseFormProps,
  type UseFormReturn,
} from "react-hook-form";
import type { z } from "zod";
import { serverIssues, describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { describeIssue, formErrorMap } from "@/lib/form-errors";
import { cn } from "@/lib/utils";

type AnyZod = z.ZodType<FieldValues, FieldValues>;

/**
 * react-hook-form driven by a zod schema — the same schema the server parses with, so a form and
 * its procedure agree on what is valid. Zod's default messages become sentences (`formErrorMap`);
 * messages a schema's author wrote are kept.
 */
export function useZodForm<Schema extends AnyZod>(
  schema: Schema,
  options: Omit<UseFormProps<z.input<Schema>, unknown, z.output<Schema>>, "resolver"> = {},
): UseFormReturn<z.input<Schema>, unknown, z.output<Schema>> {
  return useForm<z.input<Schema>, unknown, z.output<Schema>>({
    mode: "onTouched",
    ...options,
    resolver: zodResolver(schema as never, { error: (issue) => formErrorMap(issue as never) }) as never,
  });
}

/**
 * Puts a failed call's errors where they belong: each server zod issue next to its field (when the
 * form has that field), everything else as the form's own error above the submit button.
 * `pathPrefix`: the part of the server's path that is not in the form (e.g. `["terms"]`).
 */
export function applyServerError<T extends FieldValues>(form: UseFormReturn<T, unknown, FieldValues>, error: unknown, options: { pathPrefix?: string[] } = {}): void {
  const values = form.getValues() as Record<string, unknown>;
  let placed = false;
  for (const issue of serverIssues(error)) {
    const path = (issue.path ?? []).map(String);
    const local = options.pathPrefix && path.slice(0, options.pathPrefix.length).join(".") === options.pathPrefix.join(".") ? path.slice(options.pathPrefix.length) : path;
    if (local.length > 0 && local[0]! in values) {
      form.setError(local.join(".") as Path<T>, { type: "server", message: describeIssue(issue) });
      placed = true;
    }
  }
  if (!placed) form.setError("root.server" as Path<T>, { type: "server", message: describeError(error) ?? "Something went wrong. Try again." });
}

type FormProps<T extends FieldValues, Out> = Omit<ComponentProps<"form">, "onSubmit"> & {
  form: UseFormReturn<T, unknown, Out>;
  onSubmit: SubmitHandler<Out>;
};

/** A `<form>` wired to react-hook-form; fields below it read the form from context. */
export function Form<T extends FieldValues, Out>({ form, onSubmit, children, ...props }: FormProps<T, Out>) {
  return (
    <FormProvider {...form}>
      <form noValidate onSubmit={form.handleSubmit(onSubmit)} {...props}>
        {children}
      </form>
    </FormProvider>
  );
}

export type FieldControlProps<T extends FieldValues, N extends FieldPath<T>> = ControllerRenderProps<T, N> & {
  id: string;
  "aria-invalid": boolean;
  "aria-describedby": string | undefined;
};

type FormFieldProps<T extends FieldValues, N extends FieldPath<T>> = {
  control: Control<T, unknown, FieldValues>;
  name: N;
  label: ReactNode;
  /** Shown under the control; also read by screen readers with it. */
  description?: ReactNode;
  className?: string;
  /** Hide the label visually (it stays for screen readers), e.g. inside a table row. */
  srOnlyLabel?: boolean;
  children: (field: FieldControlProps<T, N>) => ReactNode;
};

/** A label, a control, its help and its error in words, linked for assistive technology. */
export function FormField<T extends FieldValues, N extends FieldPath<T>>({ control, name, label, description, className, srOnlyLabel, children }: FormFieldProps<T, N>) {
  const id = useId();
  const descriptionId = `${id}-description`;
  const errorId = `${id}-error`;
  return (
    <Controller
      control={control}
      name={name}
      render={({ field, fieldState }) => {
        const describedBy = [description ? descriptionId : null, fieldState.error ? errorId : null].filter(Boolean).join(" ") || undefined;
        return (
          <div className={cn("flex flex-col gap-1.5", className)} data-field={name}>
            <Label htmlFor={id} className={srOnlyLabel ? "sr-only" : undefined}>
              {label}
            </Label>
            {children({ ...field, id, "aria-invalid": fieldState.error !== undefined, "aria-describedby": describedBy })}
            {description ? (
              <p id={descriptionId} className="text-xs text-muted-foreground">
                {description}
              </p>
            ) : null}
            {fieldState.error?.message ? (
              <p id={errorId} className="text-xs font-medium text-destructive" data-testid={`field-error-${name}`}>
                {fieldState.error.message}
              </p>
            ) : null}
          </div>
        );
      }}
    />
  );
}

/** The form's own error (from the server, or a rule across fields): above the submit button. */
export function FormRootError({ className }: { className?: string }) {
  const { formState } = useFormContext();
  const message = formState.errors.root?.server?.message ?? formState.errors.root?.message;
  if (!message) return null;
  return (
    <Alert variant="destructive" className={className} data-testid="form-error">
      {message}
    </Alert>
  );
}

/** Disabled while the form submits; `pending` covers the mutation that follows. */
export function SubmitButton({ children, pending, pendingLabel, ...props }: ComponentProps<typeof Button> & { pending?: boolean; pendingLabel?: string }) {
  const { formState } = useFormContext();
  const busy = pending === true || formState.isSubmitting;
  return (
    <Button type="submit" disabled={busy || props.disabled} {...props}>
      {busy && pendingLabel ? pendingLabel : children}
    </Button>
  );
}
