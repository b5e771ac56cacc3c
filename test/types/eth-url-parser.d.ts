/**
 * Types for eth-url-parser 1.0.4 (the EIP-681 parser MetaMask mobile and Rainbow use), as far as the tests use it.
 * Its CommonJS build sets `__esModule`: import its functions by name (a default import is undefined wherever the
 * test file is compiled to CommonJS).
 */
declare module "eth-url-parser" {
  export interface ParsedEip681 {
    scheme: string;
    prefix?: string;
    target_address: string;
    chain_id?: string;
    function_name?: string;
    parameters?: Record<string, string>;
  }
  export function parse(uri: string): ParsedEip681;
  export function build(parsed: Partial<ParsedEip681>): string;
}
