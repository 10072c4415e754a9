import type { LaunchProps } from "@raycast/api";
import { AskView } from "./lib/ui/AskView/main";

export default (props: LaunchProps<{ arguments: { prompt?: string } }>) => <AskView prompt={props.arguments.prompt} />;
