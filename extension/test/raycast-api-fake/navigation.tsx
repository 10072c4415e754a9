import type { Navigation } from "@raycast/api";
import { createContext, useContext, useMemo, useState, type ReactNode } from "react";

const NavigationContext = createContext<Navigation | undefined>(undefined);

/** Raycast's navigation stack: the top view is shown; Action.Push and pop() change it. */
export function NavigationRoot({ children }: { children: ReactNode }) {
  const [stack, setStack] = useState<ReactNode[]>([children]);
  const navigation = useMemo<Navigation>(
    () => ({
      push: (view) => setStack((views) => [...views, view]),
      pop: () => setStack((views) => (views.length > 1 ? views.slice(0, -1) : views)),
    }),
    [],
  );
  // every view stays mounted, as in Raycast, so a pushed form can call back into the view below it
  return (
    <NavigationContext.Provider value={navigation}>
      {stack.map((view, depth) => (
        <div key={depth} hidden={depth !== stack.length - 1} data-testid={`view-${depth}`}>
          {view}
        </div>
      ))}
    </NavigationContext.Provider>
  );
}

export function useNavigation(): Navigation {
  const navigation = useContext(NavigationContext);
  if (!navigation) throw new Error("render the command inside <NavigationRoot> (extension/test/raycast-api-fake)");
  return navigation;
}
