"use client";

import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type VisibilityState } from "@tanstack/react-table";
import { ArrowDown, ArrowUp, ArrowUpDown, Download, Loader2, Settings2 } from "lucide-react";
import { useSearchParams } from "next/navigation";
import { parseAsArrayOf, parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import { useMemo, useState, useTransition, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { NativeSelect } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { cn } from "@/lib/utils";

export type DataTableColumnMeta = {
  /** The column's name in the header, the column picker and the CSV. */
  label: string;
  /** The server sorts by this column (its id is the `sort` value in the URL). */
  sortable?: boolean;
  align?: "left" | "right";
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- TanStack's own column type: each column has its own value type.
export type DataTableColumn<Row> = ColumnDef<Row, any> & { id: string; meta: DataTableColumnMeta };

export type DataTableFilter =
  | {
      id: string;
      label: string;
      options: { value: string; label: string }[];
      /**
       * The value the server applies when the URL has none (e.g. `pending`): the select shows it, so the
       * filter never claims "All" over a narrower view, and offers no "All" unless `options` has one.
       */
      defaultValue?: string;
    }
  /** Free text (an external id...), applied on Enter or when the box loses focus. */
  | { id: string; label: string; text: { placeholder: string; maxLength: number } };

export type DataTableProps<Row> = {
  /** Names the table for screen readers and tests (`data-testid="<name>-table"`). */
  name: string;
  caption: string;
  columns: DataTableColumn<Row>[];
  rows: Row[];
  getRowId: (row: Row) => string;
  /** A `data-testid` for each row (e.g. `user-row-<email>`), for tests that find one row. */
  rowTestId?: (row: Row) => string;
  nextCursor: string | null;
  defaultSort: { id: string; direction: "asc" | "desc" };
  filters?: DataTableFilter[];
  search?: { label: string; placeholder: string };
  /** The list's CSV route (it may carry fixed parameters); the link adds the current search, filters and sort (never the page). */
  exportPath?: string;
  emptyMessage: string;
  /** Shown above the table when the server refused the view's parameters (e.g. a stale cursor). */
  error?: string | null;
};

const directions = ["asc", "desc"] as const;

/**
 * The console's list table: rows come from the server (a server component reads the same URL),
 * already filtered, sorted and keyset-paged; this component renders them with TanStack Table and
 * keeps search, filters, sort, page cursor and hidden columns in the URL with nuqs, so a view is
 * shareable and survives a reload. Changing the view resets the cursor; the server answers inside
 * a transition, during which the table shows that it is loading.
 */
export function DataTable<Row>(props: DataTableProps<Row>) {
  const { columns, rows, filters = [], defaultSort } = props;
  const [isPending, startTransition] = useTransition();
  const parsers = useMemo(
    () => ({
      q: parseAsString,
      sort: parseAsString,
      dir: parseAsStringLiteral(directions),
      cursor: parseAsString,
      hide: parseAsArrayOf(parseAsString),
      ...Object.fromEntries(filters.map((filter) => [filter.id, parseAsString])),
    }),
    [filters],
  );
  const [state, setState] = useQueryStates(parsers, { shallow: false, startTransition, history: "push" });
  const searchParams = useSearchParams();
  const [searchText, setSearchText] = useState(state.q ?? "");
  const sort = state.sort ?? defaultSort.id;
  const direction = state.dir ?? (state.sort ? "asc" : defaultSort.direction);
  const hidden = state.hide ?? [];
  const columnVisibility: VisibilityState = Object.fromEntries(hidden.map((id) => [id, false]));

  // TanStack Table's instance is rebuilt from props each render; nothing here relies on memoizing it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: rows,
    columns,
    getRowId: props.getRowId,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualFiltering: true,
    manualPagination: true,
    state: { columnVisibility },
  });

  const view = (changes: Record<string, string | string[] | null>) => void setState({ ...changes, cursor: null });
  const onSearch = (event: FormEvent) => {
    event.preventDefault();
    view({ q: searchText.trim() || null });
  };
  const toggleSort = (id: string) => {
    if (sort === id) view({ sort: id, dir: direction === "asc" ? "desc" : "asc" });
    else view({ sort: id, dir: "asc" });
  };
  const toggleColumn = (id: string, visible: boolean) => {
    const next = visible ? hidden.filter((candidate) => candidate !== id) : [...hidden, id];
    void setState({ hide: next.length > 0 ? next : null });
  };
  const exportHref = useMemo(() => {
    if (!props.exportPath) return null;
    // The path may carry parameters of its own (`?account=<id>`), which the view's join.
    const [path, own] = props.exportPath.split("?", 2) as [string, string | undefined];
    const params = new URLSearchParams(own);
    for (const [name, value] of searchParams.entries()) if (name !== "cursor" && name !== "hide" && !params.has(name)) params.append(name, value);
    const query = params.toString();
    return query ? `${path}?${query}` : path;
  }, [props.exportPath, searchParams]);
  const visibleCount = table.getVisibleLeafColumns().length;

  return (
    <div className="space-y-3" data-testid={`${props.name}-data-table`}>
      <div className="flex flex-wrap items-end gap-2">
        {props.search ? (
          <form role="search" onSubmit={onSearch} className="flex w-full min-w-0 gap-2 sm:w-auto sm:max-w-md sm:flex-1">
            <Input
              value={searchText}
              onChange={(event) => setSearchText(event.target.value)}
              placeholder={props.search.placeholder}
              aria-label={props.search.label}
              maxLength={200}
              name="q"
            />
            <Button type="submit" variant="secondary">
              Search
            </Button>
          </form>
        ) : null}
        {filters.map((filter) => {
          const value = (state as Record<string, string | null>)[filter.id];
          if ("text" in filter) return <TextFilter key={`${filter.id}:${value ?? ""}`} filter={filter} value={value ?? ""} onApply={(text) => view({ [filter.id]: text || null })} />;
          return (
            <label key={filter.id} className="flex flex-col gap-1 text-xs text-muted-foreground">
              {filter.label}
              <NativeSelect
                value={value ?? filter.defaultValue ?? ""}
                onChange={(event) => view({ [filter.id]: event.target.value === (filter.defaultValue ?? "") ? null : event.target.value })}
                className="w-40"
                data-testid={`filter-${filter.id}`}
              >
                {filter.defaultValue === undefined ? <option value="">All</option> : null}
                {filter.options.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </NativeSelect>
            </label>
          );
        })}
        <div className="ml-auto flex gap-2">
          <Popover>
            <PopoverTrigger asChild>
              <Button variant="outline" size="sm">
                <Settings2 aria-hidden className="size-4" />
                Columns
              </Button>
            </PopoverTrigger>
            <PopoverContent align="end" className="w-56">
              <fieldset className="space-y-2">
                <legend className="mb-1 text-sm font-medium">Show columns</legend>
                {table.getAllLeafColumns().map((column) => (
                  <label key={column.id} className="flex items-center gap-2 text-sm">
                    <input type="checkbox" checked={column.getIsVisible()} onChange={(event) => toggleColumn(column.id, event.target.checked)} />
                    {(column.columnDef.meta as DataTableColumnMeta).label}
                  </label>
                ))}
              </fieldset>
            </PopoverContent>
          </Popover>
          {exportHref ? (
            <Button asChild variant="outline" size="sm">
              <a href={exportHref} download data-testid={`${props.name}-export`}>
                <Download aria-hidden className="size-4" />
                Export CSV
              </a>
            </Button>
          ) : null}
        </div>
      </div>
      {props.error ? (
        <p role="alert" className="rounded-md border border-destructive/50 px-3 py-2 text-sm text-destructive">
          {props.error}
        </p>
      ) : null}
      <div className={cn("relative rounded-lg border transition-opacity", isPending && "opacity-60")} aria-busy={isPending}>
        {isPending ? (
          <div className="absolute right-3 top-2 z-10 flex items-center gap-1 text-xs text-muted-foreground" role="status">
            <Loader2 aria-hidden className="size-3 animate-spin" /> Loading…
          </div>
        ) : null}
        <Table aria-label={props.caption} className="min-w-max">
          <TableHeader className="sticky top-0 bg-background">
            {table.getHeaderGroups().map((group) => (
              <TableRow key={group.id}>
                {group.headers.map((header) => {
                  const meta = header.column.columnDef.meta as DataTableColumnMeta;
                  const active = sort === header.column.id;
                  const ariaSort = active ? (direction === "asc" ? "ascending" : "descending") : undefined;
                  return (
                    <TableHead key={header.id} aria-sort={ariaSort} className={cn(meta.align === "right" && "text-right")}>
                      {meta.sortable ? (
                        <button
                          type="button"
                          onClick={() => toggleSort(header.column.id)}
                          className={cn("inline-flex items-center gap-1 rounded-sm hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring", active && "text-foreground")}
                          data-testid={`sort-${header.column.id}`}
                        >
                          {meta.label}
                          {active ? direction === "asc" ? <ArrowUp aria-hidden className="size-3" /> : <ArrowDown aria-hidden className="size-3" /> : <ArrowUpDown aria-hidden className="size-3 opacity-50" />}
                          <span className="sr-only">{active ? `, sorted ${direction === "asc" ? "ascending" : "descending"}` : ", sort"}</span>
                        </button>
                      ) : (
                        meta.label
                      )}
                    </TableHead>
                  );
                })}
              </TableRow>
            ))}
          </TableHeader>
          <TableBody data-testid={`${props.name}-table`}>
            {table.getRowModel().rows.length === 0 ? (
              <TableRow>
                <TableCell colSpan={visibleCount} className="h-24 text-center text-muted-foreground" data-testid={`${props.name}-empty`}>
                  {props.emptyMessage}
                </TableCell>
              </TableRow>
            ) : (
              table.getRowModel().rows.map((row) => (
                <TableRow key={row.id} data-testid={props.rowTestId?.(row.original)}>
                  {row.getVisibleCells().map((cell) => (
                    <TableCell key={cell.id} className={cn((cell.column.columnDef.meta as DataTableColumnMeta).align === "right" && "text-right tabular-nums")}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </TableCell>
                  ))}
                </TableRow>
              ))
            )}
          </TableBody>
        </Table>
      </div>
      <nav aria-label={`${props.caption} pages`} className="flex items-center gap-2">
        {state.cursor ? (
          <Button variant="outline" size="sm" onClick={() => void setState({ cursor: null })}>
            First page
          </Button>
        ) : null}
        {props.nextCursor ? (
          <Button variant="outline" size="sm" onClick={() => void setState({ cursor: props.nextCursor })} data-testid={`${props.name}-next`}>
            Next page
          </Button>
        ) : null}
        <span className="text-xs text-muted-foreground">
          {rows.length} {rows.length === 1 ? "row" : "rows"} on this page
        </span>
      </nav>
    </div>
  );
}

function TextFilter(props: { filter: { id: string; label: string; text: { placeholder: string; maxLength: number } }; value: string; onApply: (text: string) => void }) {
  const [text, setText] = useState(props.value);
  const apply = () => {
    if (text.trim() !== props.value) props.onApply(text.trim());
  };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        apply();
      }}
      className="flex flex-col gap-1 text-xs text-muted-foreground"
    >
      <label htmlFor={`filter-${props.filter.id}`}>{props.filter.label}</label>
      <Input
        id={`filter-${props.filter.id}`}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onBlur={apply}
        placeholder={props.filter.text.placeholder}
        maxLength={props.filter.text.maxLength}
        className="h-9 w-48"
        data-testid={`filter-${props.filter.id}`}
      />
    </form>
  );
}
