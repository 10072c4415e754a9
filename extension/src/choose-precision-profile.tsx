import { ProfileView } from "./lib/ui/ProfileView/main";

export default () => <ProfileView />;
