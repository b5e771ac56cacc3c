/** Every `scanpay` command, in the order `scanpay --help` lists them. */
import type { CommandSpec } from "../args.js";
import { depositCommands } from "./deposits.js";
import { faucetCommands } from "./faucet.js";
import { fundsCommands } from "./funds.js";
import { invoiceCommands } from "./invoice.js";
import { merchantCommands } from "./merchant.js";
import { payCommands } from "./pay.js";
import { pointsCommands } from "./points.js";
import { serveCommands } from "./serve.js";
import { watchCommands } from "./watch.js";

export const COMMANDS: CommandSpec[] = [
  ...merchantCommands,
  ...invoiceCommands,
  ...watchCommands,
  ...depositCommands,
  ...payCommands,
  ...fundsCommands,
  ...pointsCommands,
  ...faucetCommands,
  ...serveCommands,
];
