import { setupEnvironmentFromFiles } from "@rocketh/node";
import { setupHardhatDeploy } from "hardhat-deploy/helpers";

import { type Accounts, type Data, type Extensions, extensions } from "./config.js";

// Loads and runs the deploy scripts from files: used by tests, scripts and the demo.
const { loadAndExecuteDeploymentsFromFiles } = setupEnvironmentFromFiles<Extensions, Accounts, Data>(extensions);
const { loadEnvironmentFromHardhat } = setupHardhatDeploy<Extensions, Accounts, Data>(extensions);

export { loadAndExecuteDeploymentsFromFiles, loadEnvironmentFromHardhat };
