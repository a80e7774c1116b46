import type { Page } from "@playwright/test";

/** Replaces the editor's text the way a paste does (one input event), so auto-closing brackets do not interfere. */
export async function writeSql(page: Page, text: string) {
  const editor = page.getByTestId("sql-editor");
  await editor.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.insertText(text);
  await page.keyboard.press("Escape");
}
