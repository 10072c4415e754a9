/**
 * An in-repo fake of the Raycast runtime (@raycast/api ships only types). Components render plain DOM that
 * Testing Library can query; functions record what they were asked to do in `fakeRaycast`. Every export is typed
 * with the real API's declarations, so a view that compiles against the fake compiles against Raycast.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type * as Raycast from "@raycast/api";
import { createContext, useContext, useRef, type ReactNode } from "react";
import {
  fakeExtensionName,
  fakeRaycast,
  raycastCachePath,
  raycastLocalStoragePath,
  type RecordedToast,
} from "./fakeState.ts";
import { useNavigation } from "./navigation.tsx";

export { fakeRaycast, raycastSupportPath, resetFakeRaycast } from "./fakeState.ts";
export { NavigationRoot, useNavigation } from "./navigation.tsx";

// ---- values --------------------------------------------------------------------------------------------------

/** Icon and Color are enums in Raycast; here every member is its own name. */
const nameOf = new Proxy({}, { get: (_, key) => String(key) });
export const Icon = nameOf as typeof Raycast.Icon;
export const Color = nameOf as typeof Raycast.Color;

/** Shortcuts only matter to Raycast's UI; here each common one is its name. */
export const Keyboard = { Shortcut: { Common: nameOf } } as unknown as typeof Raycast.Keyboard;

export const LaunchType = { UserInitiated: "userInitiated", Background: "background" } as typeof Raycast.LaunchType;

export const environment = {
  get supportPath() {
    return fakeRaycast.supportPath;
  },
  assetsPath: "",
  commandName: "test",
  commandMode: "view",
  extensionName: fakeExtensionName,
  isDevelopment: true,
  launchType: "userInitiated",
  raycastVersion: "1.104.0",
  ownerOrAuthorName: "kvsplit",
  appearance: "light",
  theme: "light",
  textSize: "medium",
  canAccess: () => true,
} as unknown as typeof Raycast.environment;

// Raycast fills in the manifest's default for every preference the user left unset
const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as {
  preferences: { name: string; default?: unknown }[];
  commands: { name: string; mode: string }[];
};
const preferenceDefaults = Object.fromEntries(
  manifest.preferences.filter((p) => p.default !== undefined).map((p) => [p.name, p.default]),
);
export const getPreferenceValues: typeof Raycast.getPreferenceValues = <T,>() =>
  ({ ...preferenceDefaults, ...fakeRaycast.preferences }) as T;

// ---- feedback ------------------------------------------------------------------------------------------------

class FakeToast {
  static readonly Style = { Success: "SUCCESS", Failure: "FAILURE", Animated: "ANIMATED" } as const;
  constructor(private readonly record: RecordedToast) {}
  get style() {
    return this.record.style;
  }
  set style(style) {
    this.record.style = style;
  }
  get title() {
    return this.record.title;
  }
  set title(title) {
    this.record.title = title;
  }
  get message() {
    return this.record.message;
  }
  set message(message) {
    this.record.message = message;
  }
  primaryAction?: Raycast.Toast.ActionOptions;
  secondaryAction?: Raycast.Toast.ActionOptions;
  async show() {
    this.record.hidden = false;
  }
  async hide() {
    this.record.hidden = true;
  }
}
export const Toast = FakeToast as unknown as typeof Raycast.Toast;

export const showToast = (async (options: Raycast.Toast.Options | Raycast.Toast.Style, title?: string) => {
  const opts = typeof options === "object" ? options : { style: options, title: title ?? "" };
  const record: RecordedToast = {
    style: opts.style ?? Toast.Style.Success,
    title: opts.title,
    message: opts.message,
    hidden: false,
  };
  fakeRaycast.toasts.push(record);
  const toast = new FakeToast(record);
  toast.primaryAction = opts.primaryAction;
  return toast as unknown as Raycast.Toast;
}) as typeof Raycast.showToast;

export const showHUD: typeof Raycast.showHUD = async (title) => {
  fakeRaycast.toasts.push({ style: Toast.Style.Success, title, hidden: true });
};

export const confirmAlert: typeof Raycast.confirmAlert = async () => fakeRaycast.confirmAlerts;
export const Alert = {
  ActionStyle: { Default: "DEFAULT", Cancel: "CANCEL", Destructive: "DESTRUCTIVE" },
} as unknown as typeof Raycast.Alert;

// ---- system --------------------------------------------------------------------------------------------------

export const Clipboard = {
  copy: async (content: string | number | Raycast.Clipboard.Content) => {
    fakeRaycast.copied.push(String(typeof content === "object" ? ("text" in content ? content.text : "") : content));
  },
  paste: async (content: string | number | Raycast.Clipboard.Content) => {
    fakeRaycast.pasted.push(String(typeof content === "object" ? ("text" in content ? content.text : "") : content));
  },
  readText: async () => fakeRaycast.copied.at(-1),
  clear: async () => {},
} as unknown as typeof Raycast.Clipboard;

export const open: typeof Raycast.open = async (target) => {
  fakeRaycast.opened.push(target);
};
export const showInFinder: typeof Raycast.showInFinder = async (path) => {
  fakeRaycast.shownInFinder.push(String(path));
};
export const popToRoot: typeof Raycast.popToRoot = async () => {};
export const closeMainWindow: typeof Raycast.closeMainWindow = async () => {};
export const openExtensionPreferences: typeof Raycast.openExtensionPreferences = async () => {};

/**
 * LocalStorage as Raycast keeps it: one store per extension that outlives every command, here a JSON file under
 * the fake home (values are strings, numbers or booleans, as Raycast allows).
 */
type StoredValue = string | number | boolean;
const readStorage = (): Record<string, StoredValue> => {
  const path = raycastLocalStoragePath(fakeRaycast.home);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, StoredValue>) : {};
};
const writeStorage = (items: Record<string, StoredValue>) => {
  const path = raycastLocalStoragePath(fakeRaycast.home);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(items));
};
export const LocalStorage = {
  getItem: async (key: string) => readStorage()[key],
  setItem: async (key: string, value: StoredValue) => writeStorage({ ...readStorage(), [key]: value }),
  removeItem: async (key: string) => {
    const items = readStorage();
    delete items[key];
    writeStorage(items);
  },
  allItems: async () => readStorage(),
  clear: async () => writeStorage({}),
} as unknown as typeof Raycast.LocalStorage;
/**
 * Raycast's Cache: kept on disk per extension and namespace, so a command launched again reads what the last
 * launch stored (useCachedPromise relies on it); subscribers hear of every change.
 */
const cacheSubscribers = new Map<string, Set<Raycast.Cache.Subscriber>>();
export class Cache {
  private readonly namespace: string;
  constructor(options?: Raycast.Cache.Options) {
    this.namespace = options?.namespace ?? "default";
  }
  private get path() {
    return raycastCachePath(fakeRaycast.home, this.namespace);
  }
  private read(): Record<string, string> {
    return existsSync(this.path) ? (JSON.parse(readFileSync(this.path, "utf8")) as Record<string, string>) : {};
  }
  private write(entries: Record<string, string>, key: string | undefined, data: string | undefined) {
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(this.path, JSON.stringify(entries));
    for (const subscriber of cacheSubscribers.get(this.namespace) ?? []) subscriber(key, data);
  }
  get(key: string) {
    return this.read()[key];
  }
  set(key: string, data: string) {
    this.write({ ...this.read(), [key]: data }, key, data);
  }
  has(key: string) {
    return key in this.read();
  }
  remove(key: string) {
    const entries = this.read();
    const had = key in entries;
    delete entries[key];
    this.write(entries, key, undefined);
    return had;
  }
  clear() {
    this.write({}, undefined, undefined);
  }
  subscribe = (subscriber: Raycast.Cache.Subscriber) => {
    const subscribers = cacheSubscribers.get(this.namespace) ?? new Set();
    cacheSubscribers.set(this.namespace, subscribers.add(subscriber));
    return () => void subscribers.delete(subscriber);
  };
  get isEmpty() {
    return Object.keys(this.read()).length === 0;
  }
}

// ---- commands ------------------------------------------------------------------------------------------------

/**
 * Raycast launches the command on its own: the caller's promise settles once it is launched, and a no-view
 * command then runs until the promise its default export returns settles (a menu closing does not cut it off).
 * Menu-bar and view commands are only recorded; a test renders them when it wants to look.
 */
export const launchCommand = (async (options: { name: string; type: string; context?: Record<string, unknown> }) => {
  const command = manifest.commands.find((candidate) => candidate.name === options.name);
  if (!command) throw new Error(`launchCommand: package.json has no command "${options.name}"`);
  const done = command.mode === "no-view" ? runNoViewCommand(options) : Promise.resolve();
  fakeRaycast.launches.push({ ...options, done });
}) as unknown as typeof Raycast.launchCommand;

async function runNoViewCommand(options: { name: string; type: string; context?: Record<string, unknown> }) {
  await new Promise((resolve) => setTimeout(resolve, 0)); // it starts after launchCommand returned
  const source = join(__dirname, "..", "..", "src", `${options.name}.ts`);
  const module = (await import(/* @vite-ignore */ source)) as { default: (props: unknown) => Promise<void> };
  await module.default({ arguments: {}, launchType: options.type, launchContext: options.context });
}

/** Not used by KVSplit; present because @raycast/utils imports them by name. */
export const AI = {} as typeof Raycast.AI;
export const OAuth = {} as typeof Raycast.OAuth;

// ---- actions -------------------------------------------------------------------------------------------------

function ActionButton({ title, onAction }: { title: string; onAction: () => unknown }) {
  return (
    <button type="button" onClick={() => void onAction()}>
      {title}
    </button>
  );
}

const FormValues = createContext<Map<string, unknown> | undefined>(undefined);

export const Action = Object.assign(
  ({ title, onAction }: Raycast.Action.Props) => <ActionButton title={title} onAction={() => onAction?.()} />,
  {
    Style: { Regular: "regular", Destructive: "destructive" } as typeof Raycast.Action.Style,
    CopyToClipboard: ({ title, content }: Raycast.Action.CopyToClipboard.Props) => (
      <ActionButton title={title ?? "Copy to Clipboard"} onAction={() => Clipboard.copy(content)} />
    ),
    Paste: ({ title, content }: Raycast.Action.Paste.Props) => (
      <ActionButton title={title ?? "Paste in Active App"} onAction={() => Clipboard.paste(content)} />
    ),
    Open: ({ title, target }: Raycast.Action.Open.Props) => (
      <ActionButton title={title} onAction={() => open(target)} />
    ),
    ShowInFinder: ({ title, path }: Raycast.Action.ShowInFinder.Props) => (
      <ActionButton title={title ?? "Show in Finder"} onAction={() => showInFinder(path)} />
    ),
    Push: function Push({ title, target }: Raycast.Action.Push.Props) {
      const { push } = useNavigation();
      return <ActionButton title={title} onAction={() => push(target)} />;
    },
    SubmitForm: function SubmitForm({ title, onSubmit }: Raycast.Action.SubmitForm.Props<Raycast.Form.Values>) {
      const values = useContext(FormValues);
      return <ActionButton title={title ?? "Submit"} onAction={() => onSubmit?.(Object.fromEntries(values ?? []))} />;
    },
  },
);

export const ActionPanel = Object.assign(
  ({ children, title }: Raycast.ActionPanel.Props) => (
    <div role="group" aria-label={title ?? "Actions"}>
      {children}
    </div>
  ),
  {
    Section: ({ children, title }: Raycast.ActionPanel.Section.Props) => <div aria-label={title}>{children}</div>,
    Submenu: ({ children, title }: Raycast.ActionPanel.Submenu.Props) => <div aria-label={title}>{children}</div>,
  },
);

// ---- views ---------------------------------------------------------------------------------------------------

type MetadataChildren = { children?: ReactNode };

const Metadata = Object.assign(({ children }: MetadataChildren) => <dl aria-label="Metadata">{children}</dl>, {
  Label: ({ title, text }: Raycast.Detail.Metadata.Label.Props) => (
    <div>
      <dt>{title}</dt>
      <dd aria-label={title}>{typeof text === "object" && text !== null ? text.value : text}</dd>
    </div>
  ),
  Separator: () => <hr />,
  Link: ({ title, text, target }: Raycast.Detail.Metadata.Link.Props) => (
    <div>
      <dt>{title}</dt>
      <dd>
        <a href={target}>{text}</a>
      </dd>
    </div>
  ),
  TagList: Object.assign(
    ({ title, children }: Raycast.Detail.Metadata.TagList.Props) => (
      <div>
        <dt>{title}</dt>
        <dd aria-label={title}>{children}</dd>
      </div>
    ),
    { Item: ({ text }: Raycast.Detail.Metadata.TagList.Item.Props) => <span>{text}</span> },
  ),
});

export const Detail = Object.assign(
  ({ markdown, metadata, actions, isLoading, navigationTitle }: Raycast.Detail.Props) => (
    <article aria-label={navigationTitle ?? "Detail"} aria-busy={isLoading ?? false}>
      <pre data-testid="markdown">{markdown}</pre>
      {metadata}
      {actions}
    </article>
  ),
  { Metadata },
);

function accessoryText(accessory: Raycast.List.Item.Accessory): string {
  const value = (x: unknown) => (typeof x === "object" && x !== null && "value" in x ? x.value : x);
  const parts = [
    "text" in accessory ? value(accessory.text) : undefined,
    "tag" in accessory ? value(accessory.tag) : undefined,
    "date" in accessory ? (value(accessory.date) as Date | null)?.toISOString().slice(0, 10) : undefined,
  ];
  return parts.filter((part) => part != null && part !== "").join(" ");
}

const ListItemDetail = Object.assign(
  ({ markdown, metadata, isLoading }: Raycast.List.Item.Detail.Props) => (
    <div data-testid="item-detail" aria-busy={isLoading ?? false}>
      <pre>{markdown}</pre>
      {metadata}
    </div>
  ),
  { Metadata },
);

export const List = Object.assign(
  ({ children, isLoading, navigationTitle }: Raycast.List.Props) => (
    <div role="list" aria-label={navigationTitle ?? "List"} aria-busy={isLoading ?? false}>
      {children}
    </div>
  ),
  {
    Section: ({ children, title, subtitle }: Raycast.List.Section.Props) => (
      <section aria-label={title} title={subtitle}>
        {children}
      </section>
    ),
    EmptyView: ({ title, description, actions }: Raycast.List.EmptyView.Props) => (
      <div data-testid="empty-view">
        <h2>{title}</h2>
        <p>{description}</p>
        {actions}
      </div>
    ),
    Item: Object.assign(
      ({ title, subtitle, accessories, detail, actions }: Raycast.List.Item.Props) => {
        const name = typeof title === "string" ? title : title.value;
        return (
          <div role="listitem" aria-label={name}>
            <span>{name}</span>
            <span>{typeof subtitle === "object" ? subtitle?.value : subtitle}</span>
            <span data-testid="accessories">{(accessories ?? []).map(accessoryText).join(" | ")}</span>
            {detail}
            {actions}
          </div>
        );
      },
      { Detail: ListItemDetail },
    ),
  },
);

function FormField({
  id,
  title,
  defaultValue,
  multiline,
}: {
  id: string;
  title?: string;
  defaultValue?: string;
  multiline: boolean;
}) {
  const values = useContext(FormValues);
  if (values && !values.has(id)) values.set(id, defaultValue ?? "");
  const onChange = (event: { target: { value: string } }) => values?.set(id, event.target.value);
  return multiline ? (
    <textarea aria-label={title ?? id} defaultValue={defaultValue} onChange={onChange} />
  ) : (
    <input aria-label={title ?? id} defaultValue={defaultValue} onChange={onChange} />
  );
}

export const Form = Object.assign(
  function FormView({ children, actions, navigationTitle }: Raycast.Form.Props) {
    const values = useRef(new Map<string, unknown>());
    return (
      <FormValues.Provider value={values.current}>
        <form aria-label={navigationTitle ?? "Form"}>
          {children}
          {actions}
        </form>
      </FormValues.Provider>
    );
  },
  {
    TextArea: ({ id, title, defaultValue }: Raycast.Form.TextArea.Props) => (
      <FormField id={id} title={title} defaultValue={defaultValue} multiline />
    ),
    TextField: ({ id, title, defaultValue }: Raycast.Form.TextField.Props) => (
      <FormField id={id} title={title} defaultValue={defaultValue} multiline={false} />
    ),
    Description: ({ text }: Raycast.Form.Description.Props) => <p>{text}</p>,
  },
);

/**
 * Choosing an item closes the menu, and Raycast then unloads the menu-bar command: what its onAction still awaits
 * is cut off. The fake runs onAction, lets it take its first steps, then unloads the command and records whether
 * the action was still running.
 */
function chooseMenuItem(title: string, onAction: Raycast.MenuBarExtra.Item.Props["onAction"]) {
  // the menu clicked in and its record, even if a test has opened another one since
  const { closeMenu, menuCloses } = fakeRaycast;
  let running = true;
  void Promise.resolve(onAction?.({ type: "left-click" })).finally(() => (running = false));
  setTimeout(() => {
    menuCloses.push({ item: title, actionRunning: running });
    closeMenu?.();
  }, 0);
}

export const MenuBarExtra = Object.assign(
  ({ children, title, tooltip, isLoading }: Raycast.MenuBarExtra.Props) => (
    <div role="menu" aria-label={tooltip ?? title ?? "Menu Bar"} aria-busy={isLoading ?? false}>
      <span data-testid="menu-bar-title">{title}</span>
      {children}
    </div>
  ),
  {
    Item: ({ title, subtitle, onAction }: Raycast.MenuBarExtra.Item.Props) => (
      <button type="button" role="menuitem" disabled={!onAction} onClick={() => chooseMenuItem(title, onAction)}>
        {subtitle ? `${title} ${subtitle}` : title}
      </button>
    ),
    Section: ({ children, title }: Raycast.MenuBarExtra.Section.Props) => <div aria-label={title}>{children}</div>,
    Separator: () => <hr />,
  },
);
