import { ServerMenuBar } from "./lib/ui/ServerMenuBar/main";

export default () => <ServerMenuBar />;
