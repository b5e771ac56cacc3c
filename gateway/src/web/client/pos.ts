/** Placeholder: the pos page's script. */
import { byId, replace } from "./dom.js";

replace(byId("app"), "The pos page is being built.");
