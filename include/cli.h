/* Command-line tools beside the server (src/cli): each takes its subcommand's arguments
   (argv[0] is the subcommand's name) and GRAPPE_DATABASE_URL, and returns the exit status:
   0 done, 1 failed, 2 bad usage. */
#ifndef GRAPPE_CLI_H
#define GRAPPE_CLI_H

/* grappe keys create|list|revoke: API keys (src/cli/keys.c). */
int cli_keys(int argc, char **argv, const char *database_url);

/* grappe seed --clusters N --companies M ...: synthetic data at scale (src/cli/seed.c). */
int cli_seed(int argc, char **argv, const char *database_url);
#endif
