/*
 * main.c
 *		foray-verify: check exported FORAY data with no database.
 *
 *	foray-verify [--json] [--quiet] [--details] document FILE
 *	foray-verify [--json] [--quiet] proof FILE --root sha256:HEX [--core FILE]
 *	foray-verify [--json] [--quiet] [--details] bundle FILE
 *
 * Exit status: 0 verified, 1 does not verify, 2 unusable input or usage.
 * The manual is docs/foray-verify.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "json.h"
#include "run.h"
#include "util.h"

#define FV_VERSION "0.5.0"

static const char usage[] =
"usage: foray-verify [OPTIONS] document FILE\n"
"       foray-verify [OPTIONS] proof FILE --root sha256:HEX [--core FILE]\n"
"       foray-verify [OPTIONS] bundle FILE\n"
"\n"
"Checks exported FORAY data with no database: recomputes canonical (RFC 8785)\n"
"SHA-256 hashes, RFC 9162 Merkle trees and the anchor envelope, and reports\n"
"what was proved and what was only claimed.  FILE may be - (standard input).\n"
"\n"
"  document FILE    a FORAY v4.1 document (foray.export_document): every\n"
"                   component hash, tree root, audit_data_hash,\n"
"                   foray_core_hash and merkle_root, and the protocol rules\n"
"                   that need no database\n"
"  proof FILE       an inclusion proof (foray.inclusion_proof) against the\n"
"                   root you trust, given with --root; --core FILE also\n"
"                   checks a foray_core against the proof's component_hash\n"
"  bundle FILE      a bundle (foray.export_bundle): the document, the\n"
"                   envelope and its hash, the anchor record, and the\n"
"                   disclosed components' proofs\n"
"\n"
"Options:\n"
"  --json           write the report as one JSON object on standard output\n"
"  --quiet          write nothing; the exit status says it all\n"
"  --details        put every entry, leaf hash and tree of the commitment in\n"
"                   the report (the form of foray.commitment_details)\n"
"  --timing         write the CPU time of parsing, checking and hashing, and\n"
"                   the peak memory, to standard error\n"
"  --help           this text\n"
"  --version        the version\n"
"\n"
"Exit status: 0 verified, 1 does not verify (each failure with its JSON path,\n"
"expected and found), 2 unusable input (malformed JSON, duplicate keys,\n"
"invalid UTF-8, numbers that cannot be canonicalised, nesting too deep,\n"
"unreadable file) or a usage error.\n";

static void
usage_error(const char *what)
{
	fprintf(stderr, "foray-verify: %s\n", what);
	fprintf(stderr, "Try \"foray-verify --help\".\n");
	exit(FV_EXIT_UNUSABLE);
}

/* the whole file (or standard input) in a new buffer of *len + 1 bytes */
static char *
read_input(const char *name, size_t *len, char **why)
{
	FILE	   *f;
	char	   *buf = NULL;
	size_t		cap = 0;
	size_t		n = 0;
	struct stat st;

	*why = NULL;
	if (strcmp(name, "-") == 0)
		f = stdin;
	else if ((f = fopen(name, "rb")) == NULL)
	{
		*why = fv_printf("cannot read %s: %s", name, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
	{
		*why = fv_printf("cannot read %s: it is a directory", name);
		if (f != stdin)
			fclose(f);
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
		(uint64_t) st.st_size <= FJ_MAX_INPUT)
	{
		/* one byte more than the size: end of file is seen without a resize */
		cap = (size_t) st.st_size + 2;
		buf = fv_malloc(cap);
	}
	for (;;)
	{
		size_t		got;

		if (n + 1 >= cap)
		{
			cap = cap < 65536 ? 65536 : cap + cap / 2;
			if (cap > FJ_MAX_INPUT + 2)
				cap = FJ_MAX_INPUT + 2;
			buf = fv_realloc(buf, cap);
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n > FJ_MAX_INPUT)
		{
			*why = fv_printf("%s is larger than the 1 GiB limit", name);
			break;
		}
		if (got == 0)
		{
			if (ferror(f))
				*why = fv_printf("cannot read %s: %s", name, strerror(errno));
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	if (*why)
	{
		free(buf);
		return NULL;
	}
	if (buf == NULL)
		buf = fv_malloc(1);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static bool
parse_root(const char *s, uint8_t out[32])
{
	return jcs_hash_parse(s, strlen(s), out);
}

int
main(int argc, char **argv)
{
	const char *command = NULL;
	const char *file = NULL;
	const char *root_text = NULL;
	const char *core_file = NULL;
	bool		json = false,
				quiet = false,
				details = false,
				timing_wanted = false;
	fv_command	cmd = FV_CMD_DOCUMENT;
	uint8_t		root[32];
	char	   *text;
	char	   *core = NULL;
	size_t		len = 0,
				core_len = 0;
	char	   *why;
	fv_report	r;
	fv_timing	timing = {0, 0, 0, 0, 0, 0};
	int			code;

	for (int i = 1; i < argc; i++)
	{
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
		{
			fputs(usage, stdout);
			return 0;
		}
		else if (strcmp(a, "--version") == 0)
		{
			printf("foray-verify %s\n", FV_VERSION);
			return 0;
		}
		else if (strcmp(a, "--json") == 0)
			json = true;
		else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
			quiet = true;
		else if (strcmp(a, "--details") == 0)
			details = true;
		else if (strcmp(a, "--timing") == 0)
			timing_wanted = true;
		else if (strcmp(a, "--root") == 0 || strcmp(a, "--core") == 0)
		{
			if (i + 1 >= argc)
				usage_error(fv_printf("%s needs a value", a));
			if (strcmp(a, "--root") == 0)
				root_text = argv[++i];
			else
				core_file = argv[++i];
		}
		else if (strncmp(a, "--root=", 7) == 0)
			root_text = a + 7;
		else if (strncmp(a, "--core=", 7) == 0)
			core_file = a + 7;
		else if (a[0] == '-' && a[1] != '\0')
			usage_error(fv_printf("unknown option %s", a));
		else if (command == NULL)
			command = a;
		else if (file == NULL)
			file = a;
		else
			usage_error(fv_printf("unexpected argument %s", a));
	}
	if (command == NULL)
		usage_error("no command (document, proof or bundle)");
	if (strcmp(command, "document") == 0)
		cmd = FV_CMD_DOCUMENT;
	else if (strcmp(command, "proof") == 0)
		cmd = FV_CMD_PROOF;
	else if (strcmp(command, "bundle") == 0)
		cmd = FV_CMD_BUNDLE;
	else
		usage_error(fv_printf("unknown command %s (document, proof or bundle)", command));
	if (file == NULL)
		usage_error(fv_printf("%s needs a FILE (- for standard input)", command));
	if (cmd == FV_CMD_PROOF)
	{
		if (root_text == NULL)
			usage_error("proof needs --root sha256:HEX, the root you trust");
		if (!parse_root(root_text, root))
			usage_error("--root must be \"sha256:\" followed by 64 lower-case hex digits");
	}
	else if (root_text != NULL || core_file != NULL)
		usage_error("--root and --core go with the proof command");

	fv_report_init(&r, command, file);
	text = read_input(file, &len, &why);
	if (text == NULL)
		fv_unusable(&r, "%s", why);
	else if (core_file != NULL && (core = read_input(core_file, &core_len, &why)) == NULL)
	{
		fv_unusable(&r, "--core: %s", why);
		free(text);
		text = NULL;
	}
	free(why);
	if (text != NULL)
		code = fv_run(cmd, text, len, root, core, core_len, details, &r,
					  timing_wanted ? &timing : NULL);
	else
		code = fv_exit_code(&r);

	if (timing_wanted && text != NULL)
	{
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "timing (CPU seconds): parse %.6f, check %.6f, of which hashing %.6f; "
				"measured apart: canonical text %.6f, SHA-256 %.6f of %zu canonical bytes; "
				"input %zu bytes, peak RSS %ld kB\n",
				timing.parse, timing.check - timing.canonical - timing.sha, timing.hash,
				timing.canonical, timing.sha, timing.canonical_bytes, len, ru.ru_maxrss);
	}
	if (code == FV_EXIT_UNUSABLE)
		fprintf(stderr, "foray-verify: unusable input: %s\n", r.unusable);
	if (!quiet)
	{
		if (json)
			fv_print_json(&r, stdout);
		else if (code != FV_EXIT_UNUSABLE)
			fv_print_text(&r, stdout);
	}
	if (fflush(stdout) != 0)
		code = FV_EXIT_UNUSABLE;
	fv_report_free(&r);
	return code;
}
