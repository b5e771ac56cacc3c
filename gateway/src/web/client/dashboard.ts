/** Placeholder: the dashboard page's script. */
import { byId, replace } from "./dom.js";

replace(byId("app"), "The dashboard page is being built.");
