"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode, type ThHTMLAttributes } from "react";
import { CellValue, isNumericType } from "@/components/ui/cell-value";
import { cellText, initialColumnWidth, rowText } from "@/components/grid/cell-text";
import { copyText } from "@/components/ui/copy-text";

export interface GridColumn {
  /** Stable key: a column name for table rows, a position for SQL results (SQL allows two columns of one name). */
  id: string;
  /** The real column name, shown as Postgres spells it (users copy it into SQL). */
  name: string;
  /** The Postgres type name, shown under the name and used to right-align numbers. */
  type?: string;
}

interface DataGridProps<TRow> {
  columns: GridColumn[];
  rows: TRow[];
  valueOf: (row: TRow, column: GridColumn) => unknown;
  testId: string;
  label: string;
  /** Above the rows: the row count and any truncation notice, so they are seen before scrolling. */
  summary?: ReactNode;
  footer?: ReactNode;
  busy?: boolean;
  /** The header cell's content; defaults to the name and type. */
  header?: (column: GridColumn) => ReactNode;
  headerAttributes?: (column: GridColumn) => ThHTMLAttributes<HTMLTableCellElement>;
  /** Shown under the header when there are no rows (empty state, skeleton). */
  placeholder?: ReactNode;
}

// Rows never wrap (cells truncate), so every row has this height and nothing needs measuring.
const ROW_HEIGHT = 33;
const OVERSCAN = 12;
// Below this many rows every row is rendered: cheap, and find-in-page and screen readers see them all.
const VIRTUALIZE_ABOVE = 100;
const MIN_WIDTH = 48;

type Selection<TRow> = { rows: TRow[]; row: number; column: string };

/**
 * The one grid of rows: table reads, SQL results and saved-query runs. A fixed-height scroll
 * container with a sticky header, rows virtualised (10,000 rows cost what 40 do), columns
 * resizable by dragging or the arrow keys, and a selected cell that copies as a cell or a row.
 */
export function DataGrid<TRow>({
  columns,
  rows,
  valueOf,
  testId,
  label,
  summary,
  footer,
  busy = false,
  header,
  headerAttributes,
  placeholder,
}: DataGridProps<TRow>) {
  const scroller = useRef<HTMLDivElement>(null);
  const [widths, setWidths] = useState<Record<string, number>>({});
  const [selection, setSelection] = useState<Selection<TRow> | null>(null);
  const [notice, setNotice] = useState("");
  const virtual = rows.length > VIRTUALIZE_ABOVE;
  // TanStack Virtual is the virtualiser by design; the React Compiler just skips memoizing this component.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: virtual ? rows.length : 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
  });

  const widthOf = (column: GridColumn) => widths[column.id] ?? initialColumnWidth(column.name, column.type);
  const totalWidth = columns.reduce((sum, column) => sum + widthOf(column), 0);
  // A selection belongs to the rows it was made on; new rows start unselected.
  const selected = selection && selection.rows === rows && selection.row < rows.length ? selection : null;

  const items = virtual
    ? virtualizer.getVirtualItems()
    : rows.map((_, index) => ({ index, start: index * ROW_HEIGHT, end: (index + 1) * ROW_HEIGHT }));
  const padTop = virtual ? (items[0]?.start ?? 0) : 0;
  const padBottom = virtual ? virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0) : 0;

  async function copy(what: "cell" | "row") {
    if (!selected) return;
    const row = rows[selected.row]!;
    const text =
      what === "cell"
        ? cellText(
            valueOf(
              row,
              columns.find((column) => column.id === selected.column)!,
            ),
          )
        : rowText(columns.map((column) => valueOf(row, column)));
    setNotice((await copyText(text)) ? `Copied the ${what}.` : "The browser refused the clipboard; select the text instead.");
  }

  function onGridKey(event: KeyboardEvent<HTMLDivElement>) {
    const textSelected = !(window.getSelection()?.isCollapsed ?? true);
    if (selected && !textSelected && (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "c") {
      event.preventDefault();
      void copy(event.shiftKey ? "row" : "cell");
    }
  }

  function startResize(column: GridColumn, event: PointerEvent<HTMLSpanElement>) {
    event.preventDefault();
    const handle = event.currentTarget;
    const startX = event.clientX;
    const startWidth = widthOf(column);
    handle.setPointerCapture(event.pointerId);
    const move = (e: globalThis.PointerEvent) =>
      setWidths((current) => ({ ...current, [column.id]: Math.max(MIN_WIDTH, startWidth + e.clientX - startX) }));
    const end = () => {
      handle.removeEventListener("pointermove", move);
      handle.removeEventListener("pointerup", end);
      handle.removeEventListener("pointercancel", end);
    };
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", end);
    handle.addEventListener("pointercancel", end);
  }

  function resizeByKey(column: GridColumn, event: KeyboardEvent<HTMLSpanElement>) {
    const step = event.key === "ArrowRight" ? 16 : event.key === "ArrowLeft" ? -16 : 0;
    if (step === 0) return;
    event.preventDefault();
    setWidths((current) => ({ ...current, [column.id]: Math.max(MIN_WIDTH, widthOf(column) + step) }));
  }

  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm" aria-busy={busy} aria-label={label} role="region">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-200 bg-slate-50 px-4 py-2 text-sm text-slate-600">
        {summary}
        <span className="ml-auto flex items-center gap-2">
          <span className="text-xs text-slate-500" aria-live="polite" data-testid="grid-copy-notice">
            {notice}
          </span>
          <button
            type="button"
            className={COPY_BUTTON}
            disabled={!selected}
            onClick={() => void copy("cell")}
            title="Copy the selected cell (Ctrl+C)"
          >
            Copy cell
          </button>
          <button
            type="button"
            className={COPY_BUTTON}
            disabled={!selected}
            onClick={() => void copy("row")}
            title="Copy the selected row as tab-separated text (Ctrl+Shift+C)"
          >
            Copy row
          </button>
        </span>
      </div>
      <div
        ref={scroller}
        className={`relative max-h-[min(70vh,40rem)] overflow-auto transition-opacity focus:outline-none ${busy ? "opacity-60" : ""}`}
        tabIndex={0}
        onKeyDown={onGridKey}
        data-testid={`${testId}-scroller`}
      >
        <table
          className="text-sm"
          style={{ tableLayout: "fixed", width: totalWidth, minWidth: "100%" }}
          data-testid={testId}
          aria-rowcount={rows.length + 1}
        >
          <colgroup>
            {columns.map((column) => (
              <col key={column.id} style={{ width: widthOf(column) }} />
            ))}
            {/* The filler takes what is left of a wide box, so resizing one column never stretches the others. */}
            <col />
          </colgroup>
          <thead>
            <tr>
              {columns.map((column) => (
                <th
                  key={column.id}
                  scope="col"
                  className={`${TH} ${isNumericType(column.type) ? "text-right" : "text-left"}`}
                  {...headerAttributes?.(column)}
                >
                  {header ? header(column) : <DefaultHeader column={column} />}
                  <span
                    role="separator"
                    aria-orientation="vertical"
                    aria-label={`Resize column ${column.name}`}
                    aria-valuenow={widthOf(column)}
                    tabIndex={0}
                    onPointerDown={(event) => startResize(column, event)}
                    onKeyDown={(event) => resizeByKey(column, event)}
                    onDoubleClick={() => setWidths((current) => withoutKey(current, column.id))}
                    className="absolute top-0 right-0 h-full w-2 cursor-col-resize touch-none select-none hover:bg-brand-200 focus:bg-brand-300 focus:outline-none"
                  />
                </th>
              ))}
              <td aria-hidden className={FILLER_HEAD} />
            </tr>
          </thead>
          <tbody>
            {padTop > 0 ? (
              <tr aria-hidden style={{ height: padTop }}>
                <td colSpan={columns.length + 1} />
              </tr>
            ) : null}
            {items.map(({ index }) => {
              const row = rows[index]!;
              return (
                <tr key={index} className="hover:bg-brand-50/40" style={{ height: ROW_HEIGHT }} aria-rowindex={index + 2} data-row-index={index}>
                  {columns.map((column) => {
                    const isSelected = selected?.row === index && selected.column === column.id;
                    return (
                      <td
                        key={column.id}
                        className={`${TD} ${isNumericType(column.type) ? "text-right" : ""} ${isSelected ? "bg-brand-50 ring-2 ring-brand-400 ring-inset" : ""}`}
                        onClick={() => setSelection({ rows, row: index, column: column.id })}
                        aria-selected={isSelected || undefined}
                      >
                        <CellValue value={valueOf(row, column)} />
                      </td>
                    );
                  })}
                  <td aria-hidden className={FILLER} />
                </tr>
              );
            })}
            {padBottom > 0 ? (
              <tr aria-hidden style={{ height: padBottom }}>
                <td colSpan={columns.length + 1} />
              </tr>
            ) : null}
          </tbody>
        </table>
        {placeholder}
      </div>
      {footer ? (
        <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 bg-slate-50 px-4 py-2 text-sm text-slate-600">{footer}</div>
      ) : null}
    </div>
  );
}

function withoutKey(widths: Record<string, number>, key: string): Record<string, number> {
  const next = { ...widths };
  delete next[key];
  return next;
}

function DefaultHeader({ column }: { column: GridColumn }) {
  return (
    <>
      {column.name}
      {column.type ? <span className="ml-1 font-mono text-[10px] font-normal text-slate-400">{column.type}</span> : null}
    </>
  );
}

// Names keep their real case: users copy them into SQL.
const TH = "sticky top-0 z-10 truncate border-b border-slate-200 bg-slate-50 py-2 pr-3 pl-3 text-xs font-semibold text-slate-600";
const TD = "truncate border-b border-slate-100 px-3 py-1.5 align-top cursor-default";
const FILLER_HEAD = "sticky top-0 z-10 border-b border-slate-200 bg-slate-50";
const FILLER = "border-b border-slate-100";
const COPY_BUTTON = "rounded-md bg-white px-2 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100 disabled:opacity-50";
