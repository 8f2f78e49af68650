// Small DOM helpers shared by the pages: elements, tables, forms whose errors land at the field,
// actions whose errors land at the button, and readable messages for the API's typed errors.

import { ApiError, isApiError } from "../../sdk/ts/src/index.js";

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** An element: attributes (false/null/undefined leave one out; `on<event>` adds a listener). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  node.append(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
  return node;
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : "never";
}

/** How long from `start` to `end` (or to now while running), e.g. "2.4 s". */
export function duration(start: string | null, end: string | null): string {
  if (!start) return "";
  const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(start);
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** An owner action on a session signed in too long ago: the page offers a fresh sign-in. */
let signInAgain: () => void = () => undefined;

export function onSessionTooOld(handler: () => void): void {
  signInAgain = handler;
}

/** What to tell the user about an error: the API's message, never a dump. */
export function message(err: unknown): string {
  if (isApiError(err, "SESSION_TOO_OLD")) {
    return "This needs a recent sign-in: sign in again, then retry.";
  }
  if (err instanceof ApiError) return capitalise(err.body.message);
  if (err instanceof TypeError) return "The server could not be reached: check the connection and retry.";
  return err instanceof Error ? capitalise(err.message) : String(err);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** An error's message in `box`, with a "Sign in again" button when a fresh session is needed. */
export function showIn(box: HTMLElement, err: unknown): void {
  box.replaceChildren(message(err));
  if (isApiError(err, "SESSION_TOO_OLD")) {
    box.append(" ", h("button", { type: "button", class: "link", onclick: () => signInAgain() }, "Sign in again"));
  }
  box.hidden = false;
}

/** A button whose action shows it is busy and puts its error right after it. */
export function button(label: string, action: () => Promise<void>, attrs: Attrs = {}): HTMLSpanElement {
  const error = h("span", { class: "action-error", role: "alert", hidden: true });
  const control = h("button", { type: "button", ...attrs }, label);
  control.addEventListener("click", () => {
    error.hidden = true;
    void busy(control, action).catch((err: unknown) => showIn(error, err));
  });
  return h("span", { class: "action" }, control, error);
}

/** A button that asks once more before a destructive action ("Delete" → "Really delete?"). */
export function confirmButton(label: string, ask: string, action: () => Promise<void>): HTMLSpanElement {
  let armed = false;
  const wrapper = button(label, async () => {
    if (!armed) {
      armed = true;
      control.textContent = ask;
      control.classList.add("danger");
      return;
    }
    await action();
  });
  const control = wrapper.querySelector("button") as HTMLButtonElement;
  control.addEventListener("blur", () => {
    armed = false;
    control.textContent = label;
    control.classList.remove("danger");
  });
  return wrapper;
}

/** Runs `action` with `control` disabled and marked busy (a spinner in the CSS). */
async function busy(control: HTMLButtonElement, action: () => Promise<void>): Promise<void> {
  control.disabled = true;
  control.setAttribute("aria-busy", "true");
  try {
    await action();
  } finally {
    control.disabled = false;
    control.removeAttribute("aria-busy");
  }
}

export interface Field {
  name: string;
  label: string;
  type?: string; // an input type, or "select", "textarea", "checks" (a group of checkboxes)
  options?: readonly (readonly [string, string])[];
  value?: string;
  checked?: readonly string[];
  required?: boolean;
  placeholder?: string;
  hint?: string;
  autocomplete?: string;
}

/** Which field an error is about (its `name`), or undefined for the form as a whole. */
export type FieldOf = (err: unknown) => string | undefined;

/** An input the page refuses before sending it: its message goes under that field. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** VALIDATION_FAILED names the input's path ("$.email"): the field of that name. */
export const byPath: FieldOf = (err) => {
  if (err instanceof FieldError) return err.field;
  return isApiError(err, "VALIDATION_FAILED") ? err.body.data.path.replace(/^\$\.?/, "").split(".")[0] : undefined;
};

let fieldIds = 0;

function control(field: Field, id: string, describedBy: string): HTMLElement {
  const common = { id, name: field.name, "aria-describedby": describedBy, required: field.required };
  if (field.type === "select") {
    const select = h("select", common);
    for (const [value, label] of field.options ?? []) {
      select.append(h("option", { value, selected: value === field.value }, label));
    }
    return select;
  }
  if (field.type === "textarea") {
    return h("textarea", { ...common, rows: 4, placeholder: field.placeholder }, field.value ?? "");
  }
  if (field.type === "checks") {
    return h(
      "span",
      { class: "checks", id, role: "group", "aria-describedby": describedBy },
      ...(field.options ?? []).map(([value, label]) =>
        h(
          "label",
          {},
          h("input", { type: "checkbox", name: field.name, value, checked: field.checked?.includes(value) }),
          ` ${label}`,
        ),
      ),
    );
  }
  return h("input", {
    ...common,
    type: field.type ?? "text",
    value: field.value,
    placeholder: field.placeholder,
    autocomplete: field.autocomplete ?? "off",
  });
}

/**
 * A form of labelled fields. Enter submits; while it runs the submit button is busy; an error
 * about a field (`fieldOf`, VALIDATION_FAILED's path by default) shows under that field and
 * focuses it, any other error shows by the submit button.
 */
export function form(options: {
  id?: string;
  fields: readonly Field[];
  submit: string;
  onSubmit: (data: FormData, form: HTMLFormElement) => Promise<void>;
  fieldOf?: FieldOf;
  extra?: readonly Node[];
}): HTMLFormElement {
  const fieldOf = options.fieldOf ?? byPath;
  const errors = new Map<string, HTMLElement>();
  const node = h("form", { id: options.id, class: "form", novalidate: false });
  for (const field of options.fields) {
    const id = `f${++fieldIds}`;
    const error = h("span", { class: "field-error", id: `${id}-error`, role: "alert", hidden: true });
    errors.set(field.name, error);
    const hint = field.hint ? h("small", { class: "hint" }, field.hint) : null;
    const labelled =
      field.type === "checks"
        ? h("fieldset", {}, h("legend", {}, field.label), control(field, id, `${id}-error`))
        : h("label", { for: id }, field.label, control(field, id, `${id}-error`));
    node.append(h("div", { class: "field", "data-field": field.name }, labelled, hint, error));
  }
  const formError = h("span", { class: "action-error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit" }, options.submit);
  node.append(...(options.extra ?? []), h("div", { class: "actions" }, submit, formError));
  node.addEventListener("submit", (event) => {
    event.preventDefault();
    formError.hidden = true;
    for (const box of errors.values()) box.hidden = true;
    for (const input of node.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    void busy(submit, () => options.onSubmit(new FormData(node), node)).catch((err: unknown) => {
      const name = fieldOf(err);
      const box = name === undefined ? undefined : errors.get(name);
      if (!box) {
        showIn(formError, err);
        return;
      }
      showIn(box, err);
      const input = node.querySelector<HTMLElement>(`[data-field="${name}"] :is(input, select, textarea)`);
      input?.setAttribute("aria-invalid", "true");
      input?.focus();
    });
  });
  return node;
}

/** A form field's value, trimmed ("" when absent). */
export function text(data: FormData, name: string): string {
  return String(data.get(name) ?? "").trim();
}

/** A table whose body is filled by the page, with a row saying what to do while it is empty. */
export function table(id: string, headings: readonly string[], empty: string): HTMLTableElement {
  return h(
    "table",
    { id, "data-empty": empty },
    h("thead", {}, h("tr", {}, ...headings.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody"),
  );
}

/** Puts `rows` in the table's body, or its empty-state row when there are none. */
export function fill(tableNode: HTMLTableElement, rows: readonly HTMLTableRowElement[]): void {
  const body = tableNode.tBodies[0] as HTMLTableSectionElement;
  if (rows.length) {
    // Each cell names its column: at a narrow width the rows become cards (style.css).
    const headings = [...(tableNode.tHead?.rows[0]?.cells ?? [])].map((th) => th.textContent ?? "");
    for (const tr of rows) {
      [...tr.cells].forEach((td, i) => (td.dataset.label = headings[i] ?? ""));
    }
    body.replaceChildren(...rows);
    return;
  }
  const columns = tableNode.tHead?.rows[0]?.cells.length ?? 1;
  body.replaceChildren(h("tr", { class: "empty" }, h("td", { colspan: columns }, tableNode.dataset.empty ?? "")));
}

/** A loading row while the first answer is on its way. */
export function loading(tableNode: HTMLTableElement): void {
  const columns = tableNode.tHead?.rows[0]?.cells.length ?? 1;
  (tableNode.tBodies[0] as HTMLTableSectionElement).replaceChildren(
    h("tr", { class: "loading" }, h("td", { colspan: columns, "aria-busy": "true" }, "Loading…")),
  );
}

export function row(attrs: Attrs, ...cells: Child[]): HTMLTableRowElement {
  return h("tr", attrs, ...cells.map((c) => h("td", {}, c)));
}

/** A secret shown once: the value, a copy button, and a note that it will not be shown again. */
export function secretOnce(label: string, value: string): HTMLElement {
  const shown = h("code", { class: "secret" }, value);
  const status = h("span", { role: "status" });
  const copy = h("button", { type: "button" }, "Copy");
  copy.addEventListener("click", () => {
    void navigator.clipboard.writeText(value).then(
      () => (status.textContent = "Copied."),
      () => {
        window.getSelection()?.selectAllChildren(shown);
        status.textContent = "Selected: press Ctrl+C to copy.";
      },
    );
  });
  const box = h(
    "div",
    { class: "once", role: "region", "aria-label": label },
    h("strong", {}, label),
    h("p", {}, "Copy it now: it is shown only this once."),
    shown,
    " ",
    copy,
    " ",
    status,
  );
  return box;
}

/** A page's section: a heading and its content. */
export function section(title: string, ...children: Child[]): HTMLElement {
  return h("section", {}, h("h2", {}, title), ...children);
}
