/** Types for eth-url-parser 1.0.4 (the EIP-681 parser MetaMask mobile uses), as far as the tests use it. */
declare module "eth-url-parser" {
  interface ParsedEip681 {
    scheme: string;
    prefix?: string;
    target_address: string;
    chain_id?: string;
    function_name?: string;
    parameters?: Record<string, string>;
  }
  const ethUrlParser: {
    parse(uri: string): ParsedEip681;
    build(parsed: Partial<ParsedEip681>): string;
  };
  export default ethUrlParser;
}
