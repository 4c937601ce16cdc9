/** Entry point of the bundled server that the VS Code extension starts. */
import { startServer } from "./index";

startServer();
