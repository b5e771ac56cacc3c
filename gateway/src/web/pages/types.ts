/** What a page module gives the shell (page.ts): its title, static body and parameters. */
export interface PageContent {
  title: string;
  /** Static HTML of <body> (escaped by the page module), drawn before the script runs. */
  body: string;
  /** `data-*` attributes of <body> (escaped by the shell). */
  data?: Record<string, string>;
  themeColor?: string;
  /** HTTP status; default 200. */
  status?: 200 | 404;
}
