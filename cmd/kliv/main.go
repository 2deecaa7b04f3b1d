// Command kliv runs the Kliv forum: the web server and its admin commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "kliv: %v\n", oneLine(err))
		os.Exit(1)
	}
}

// run is the whole program; main and the tests call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return cmdServe(ctx, args, getenv, stdout, stderr)
	case "admin":
		if len(args) == 0 || args[0] != "create" {
			return fmt.Errorf("usage: kliv admin create --username U --email E [--password P]")
		}
		return cmdAdminCreate(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "token":
		if len(args) == 0 || args[0] != "create" {
			return fmt.Errorf("usage: kliv token create --username U")
		}
		return cmdTokenCreate(ctx, args[1:], getenv, stdout, stderr)
	case "seed":
		return cmdSeed(ctx, args, getenv, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, args, getenv, stdout, stderr)
	case "loadtest":
		return cmdLoadtest(ctx, args, getenv, stdout, stderr)
	case "reference-serve":
		return cmdReferenceServe(ctx, args, getenv, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, args, getenv, stdout, stderr)
	case "migrate-data":
		return cmdMigrateData(ctx, args, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q (try: kliv help)", cmd)
}

const usage = `Usage:
  kliv [serve] [--addr A] [--db PATH] [--base-url URL] [--smtp URL] [--rate-limits on|off]
  kliv admin create --username U --email E [--password P] [--display-name N]
  kliv token create --username U [--name N]
  kliv seed [--members N] [--topics N] [--posts N] [--seed N] [--force] [--check] [--quiet]
  kliv backup --out FILE
  kliv loadtest [--base-url URL] [--db PATH] [--duration D] [--connections N] [--mix route=weight,…] [--pid N] [--json] [--reference]
  kliv reference-serve [--db PATH] [--addr A]   (the minimal reference server of loadtest --reference)
  kliv restore --from FILE   (with the server stopped)
  kliv migrate-data --from kliv.db --to postgres://… [--sessions] [--quiet]
Every flag of serve is also an environment variable: KLIV_ADDR, KLIV_DB, KLIV_BASE_URL, KLIV_SMTP, KLIV_RATE_LIMITS.
`

// oneLine keeps an error to one line for stderr.
func oneLine(err error) string {
	s := err.Error()
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			return s[:i]
		}
	}
	return s
}
