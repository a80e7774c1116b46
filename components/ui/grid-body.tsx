import { flexRender, type Row } from "@tanstack/react-table";
import { isNumericType } from "@/components/ui/cell-value";
import { TD } from "@/components/ui/table-shell";

/** The body of a data grid: one row per table row, numeric columns (by their type name) right-aligned. */
export function GridBody<TData>({ rows, typeOf }: { rows: Row<TData>[]; typeOf: (columnId: string) => string | undefined }) {
  return (
    <tbody>
      {rows.map((row) => (
        <tr key={row.id} className="hover:bg-brand-50/40">
          {row.getVisibleCells().map((cell) => (
            <td key={cell.id} className={`${TD} ${isNumericType(typeOf(cell.column.id)) ? "text-right" : ""}`}>
              {flexRender(cell.column.columnDef.cell, cell.getContext())}
            </td>
          ))}
        </tr>
      ))}
    </tbody>
  );
}
