import Link from "next/link";
import type { ButtonHTMLAttributes, ComponentProps } from "react";

export type ButtonVariant = "primary" | "secondary" | "danger" | "ghost";

const VARIANTS: Record<ButtonVariant, string> = {
  primary: "bg-brand-600 text-white shadow-sm hover:bg-brand-700",
  secondary: "bg-white text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50",
  danger: "bg-white text-rose-700 ring-1 ring-rose-300 hover:bg-rose-50",
  ghost: "text-slate-600 hover:bg-slate-100 hover:text-slate-900",
};

const SIZES = { sm: "px-2.5 py-1 text-xs", md: "px-3.5 py-2 text-sm" } as const;

/** The class list of a button, for the few elements (labels, summaries) that must look like one. */
export function buttonClass(variant: ButtonVariant = "secondary", size: keyof typeof SIZES = "md"): string {
  return `inline-flex items-center justify-center gap-1.5 rounded-lg font-medium whitespace-nowrap transition-colors disabled:cursor-not-allowed disabled:opacity-60 ${VARIANTS[variant]} ${SIZES[size]}`;
}

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; size?: keyof typeof SIZES };

export function Button({ variant = "secondary", size = "md", className = "", type = "button", ...rest }: ButtonProps) {
  return <button type={type} className={`${buttonClass(variant, size)} ${className}`} {...rest} />;
}

type LinkButtonProps = ComponentProps<typeof Link> & { variant?: ButtonVariant; size?: keyof typeof SIZES };

export function LinkButton({ variant = "secondary", size = "md", className = "", ...rest }: LinkButtonProps) {
  return <Link className={`${buttonClass(variant, size)} ${className}`} {...rest} />;
}
