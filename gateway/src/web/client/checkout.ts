/** Placeholder: the checkout page's script. */
import { byId, replace } from "./dom.js";

replace(byId("app"), "The checkout page is being built.");
