import { render } from "@testing-library/react";
import LocalModelServer from "../../src/local-model-server.tsx";
import { fakeRaycast, NavigationRoot } from "../raycast-api-fake/index.tsx";

/** Opens the menu-bar command; choosing an item closes the menu and unloads it, as Raycast does. */
export function launchMenuBar() {
  const view = render(
    <NavigationRoot>
      <LocalModelServer />
    </NavigationRoot>,
  );
  let open = true;
  fakeRaycast.closeMenu = () => {
    if (open) view.unmount();
    open = false;
  };
  return view;
}

/** Waits until every no-view command launched so far has run to its end. */
export async function launchedCommandsDone(): Promise<void> {
  await Promise.all(fakeRaycast.launches.map((launch) => launch.done));
}
