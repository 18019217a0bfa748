/*
 * main.c
 *		foray-verify: check exported FORAY data with no database.
 *
 *	foray-verify [--json] [--quiet] [--details] document FILE...
 *	foray-verify [--json] [--quiet] proof FILE --root sha256:HEX [--core FILE]
 *	foray-verify [--json] [--quiet] [--details] bundle FILE...
 *	foray-verify [--json] [--quiet] log-inclusion FILE --checkpoint CP [--leaf H | --envelope FILE] [--vkey VKEY]
 *	foray-verify [--json] [--quiet] log-consistency FILE --old CP --new CP [--vkey VKEY]
 *	foray-verify [--json] [--quiet] checkpoint CP [--vkey VKEY]
 *	foray-verify [--json] [--quiet] chain FILE [--anchored FILE] [--checkpoint CP [--vkey VKEY]]
 *
 * Exit status: 0 verified, 1 does not verify, 2 unusable input or usage
 * (with several files, the worst of theirs).
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
#include "verify.h"

#define FV_VERSION "0.5.0"

static const char usage[] =
"usage: foray-verify [OPTIONS] document FILE...\n"
"       foray-verify [OPTIONS] proof FILE --root sha256:HEX [--core FILE]\n"
"       foray-verify [OPTIONS] bundle FILE...\n"
"       foray-verify [OPTIONS] log-inclusion FILE --checkpoint CP\n"
"                    [--leaf sha256:HEX | --envelope FILE] [--vkey VKEY]\n"
"       foray-verify [OPTIONS] log-consistency FILE --old CP --new CP [--vkey VKEY]\n"
"       foray-verify [OPTIONS] checkpoint CP [--vkey VKEY]\n"
"       foray-verify [OPTIONS] chain FILE [--anchored FILE] [--checkpoint CP [--vkey VKEY]]\n"
"\n"
"Checks exported FORAY data with no database: recomputes canonical (RFC 8785)\n"
"SHA-256 hashes, RFC 9162 Merkle trees and the anchor envelope, and reports\n"
"what was proved and what was only claimed.  FILE may be - (standard input).\n"
"document and bundle take several FILEs: one report each, in order (with\n"
"--json one object each, one after the other), and the worst exit status.\n"
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
"  log-inclusion FILE  a log inclusion proof (foray.log_inclusion_proof) of\n"
"                   an envelope's leaf (--leaf, --envelope, else the proof's\n"
"                   leaf_hash) in the checkpoint CP you trust\n"
"  log-consistency FILE  a log consistency proof (foray.log_consistency_proof)\n"
"                   between the checkpoints --old and --new\n"
"  checkpoint CP    a checkpoint (foray.log_checkpoint), or a signed one\n"
"                   checked with --vkey\n"
"  chain FILE       a proof chain (foray.proof_chain): component, merkle_root,\n"
"                   envelope, leaf, checkpoint; --anchored FILE is the payload\n"
"                   read from the chain, --checkpoint a (signed) checkpoint\n"
"                   the chain's must equal\n"
"  CP is a file holding a C2SP checkpoint text or signed note; --vkey VKEY is\n"
"  a C2SP verifier key (name+hex key ID+base64 key) whose Ed25519 signature\n"
"  the checkpoints must carry.\n"
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
"unreadable file) or a usage error.  With several FILEs, the worst of theirs.\n";

/* the FILE arguments (main's); freed by usage_error too, which exits */
static const char **files;

static void
usage_error(const char *what)
{
	free(files);
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

#define FV_COMMANDS "document, proof, bundle, log-inclusion, log-consistency, checkpoint or chain"

/* the files and values the log's commands take */
typedef struct fv_log_files
{
	const char *checkpoint,
			   *old,
			   *new_,
			   *envelope,
			   *anchored,
			   *leaf,
			   *vkey;
	bool		foreign;		/* an option of the other commands was given */
} fv_log_files;

/*
 * Print the report; the exit code.  label: the file's name when there are
 * several (it heads the text report and the reason an input is unusable),
 * else NULL.
 */
static int
finish(fv_report *r, int code, bool json, bool quiet, const char *label)
{
	if (code == FV_EXIT_UNUSABLE)
		fprintf(stderr, "foray-verify: %s%sunusable input: %s\n",
				label ? label : "", label ? ": " : "", r->unusable);
	if (!quiet)
	{
		if (json)
			fv_print_json(r, stdout);
		else if (code != FV_EXIT_UNUSABLE)
		{
			if (label)
				fprintf(stdout, "file: %s\n", label);
			fv_print_text(r, stdout);
			if (label)
				fputc('\n', stdout);
		}
	}
	if (fflush(stdout) != 0)
		code = FV_EXIT_UNUSABLE;
	fv_report_free(r);
	return code;
}

/* read an input file of a log command into *buf; false (r unusable) when it cannot be */
static bool
log_input(fv_report *r, const char *what, const char *name, char **buf, size_t *len)
{
	char	   *why;

	*buf = NULL;
	*len = 0;
	if (name == NULL)
		return true;
	*buf = read_input(name, len, &why);
	if (*buf == NULL)
		fv_unusable(r, "%s: %s", what, why);
	free(why);
	return *buf != NULL;
}

static int
log_main(fv_command cmd, const char *command, const char *file, bool json, bool quiet,
		 const fv_log_files *f)
{
	fv_log_args a;
	fv_report	r;
	char	   *text = NULL,
			   *cp = NULL,
			   *old = NULL,
			   *anchored = NULL;
	size_t		len = 0;
	int			code;

	if (f->foreign)
		usage_error(fv_printf("--root, --core, --details and --timing do not go with %s", command));
	if (cmd == FV_CMD_LOG_INCLUSION && f->checkpoint == NULL)
		usage_error("log-inclusion needs --checkpoint CP, the checkpoint you trust");
	if (cmd == FV_CMD_LOG_CONSISTENCY && (f->old == NULL || f->new_ == NULL))
		usage_error("log-consistency needs --old CP and --new CP, the two checkpoints");
	if (cmd != FV_CMD_LOG_CONSISTENCY && (f->old != NULL || f->new_ != NULL))
		usage_error("--old and --new go with log-consistency");
	if (cmd != FV_CMD_LOG_INCLUSION && cmd != FV_CMD_CHAIN && f->checkpoint != NULL)
		usage_error(fv_printf("--checkpoint does not go with %s", command));
	if (cmd != FV_CMD_LOG_INCLUSION && (f->leaf != NULL || f->envelope != NULL))
		usage_error("--leaf and --envelope go with log-inclusion");
	if (f->leaf != NULL && f->envelope != NULL)
		usage_error("give --leaf or --envelope, not both");
	if (cmd != FV_CMD_CHAIN && f->anchored != NULL)
		usage_error("--anchored goes with chain");
	if (cmd == FV_CMD_CHAIN && f->vkey != NULL && f->checkpoint == NULL)
		usage_error("chain --vkey needs --checkpoint CP, the signed checkpoint (the chain's own is unsigned)");

	memset(&a, 0, sizeof(a));
	a.vkey = f->vkey;
	if (f->leaf != NULL)
	{
		if (!parse_root(f->leaf, a.leaf))
			usage_error("--leaf must be \"sha256:\" followed by 64 lower-case hex digits");
		a.has_leaf = true;
		a.leaf_from = "--leaf";
	}
	fv_report_init(&r, command, file);
	if (log_input(&r, cmd == FV_CMD_LOG_CONSISTENCY ? "--new" : "--checkpoint",
				  cmd == FV_CMD_LOG_CONSISTENCY ? f->new_ : f->checkpoint, &cp, &a.checkpoint_len) &&
		log_input(&r, "--old", f->old, &old, &a.old_len) &&
		log_input(&r, "--anchored", f->anchored, &anchored, &a.anchored_len) &&
		log_input(&r, "--envelope", f->envelope, &a.envelope, &a.envelope_len) &&
		log_input(&r, command, file, &text, &len))
	{
		a.checkpoint = cp;
		a.old_cp = old;
		a.anchored = anchored;
		code = fv_run_log(cmd, text, len, &a, &r);
	}
	else
	{
		free(a.envelope);
		code = fv_exit_code(&r);
	}
	free(cp);
	free(old);
	free(anchored);
	return finish(&r, code, json, quiet, NULL);
}

/* the options of a document, bundle or proof check */
typedef struct fv_opts
{
	fv_command	cmd;
	const char *command;
	const uint8_t *root;
	const char *core_file;
	bool		details,
				timing,
				json,
				quiet;
} fv_opts;

/* check one FILE (several: label is its name, else NULL); its exit code */
static int
check_file(const fv_opts *o, const char *file, const char *label)
{
	char	   *text;
	char	   *core = NULL;
	size_t		len = 0,
				core_len = 0;
	char	   *why;
	fv_report	r;
	fv_timing	timing = {0, 0, 0, 0, 0, 0};
	int			code;

	fv_report_init(&r, o->command, file);
	text = read_input(file, &len, &why);
	if (text == NULL)
		fv_unusable(&r, "%s", why);
	else if (o->core_file != NULL && (core = read_input(o->core_file, &core_len, &why)) == NULL)
	{
		fv_unusable(&r, "--core: %s", why);
		free(text);
		text = NULL;
	}
	free(why);
	if (text != NULL)
		code = fv_run(o->cmd, text, len, o->root, core, core_len, o->details, &r,
					  o->timing ? &timing : NULL);
	else
		code = fv_exit_code(&r);

	if (o->timing && text != NULL)
	{
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "timing (CPU seconds)%s%s: parse %.6f, check %.6f, of which hashing %.6f; "
				"measured apart: canonical text %.6f, SHA-256 %.6f of %zu canonical bytes; "
				"input %zu bytes, peak RSS %ld kB\n", label ? " of " : "", label ? label : "",
				timing.parse, timing.check - timing.canonical - timing.sha, timing.hash,
				timing.canonical, timing.sha, timing.canonical_bytes, len, ru.ru_maxrss);
	}
	return finish(&r, code, o->json, o->quiet, label);
}

int
main(int argc, char **argv)
{
	const char *command = NULL;
	int			nfiles = 0,
				nstdin = 0;
	const char *root_text = NULL;
	const char *core_file = NULL;
	const char *cp_file = NULL,
			   *old_file = NULL,
			   *new_file = NULL,
			   *envelope_file = NULL,
			   *anchored_file = NULL,
			   *leaf_text = NULL,
			   *vkey = NULL;
	static const char *const valued[] = {
		"--root", "--core", "--checkpoint", "--old", "--new", "--envelope", "--anchored",
		"--leaf", "--vkey", NULL
	};
	const char **slots[] = {
		&root_text, &core_file, &cp_file, &old_file, &new_file, &envelope_file, &anchored_file,
		&leaf_text, &vkey
	};
	bool		json = false,
				quiet = false,
				details = false,
				timing_wanted = false;
	fv_command	cmd = FV_CMD_DOCUMENT;
	uint8_t		root[32];
	int			code = FV_EXIT_VERIFIED;

	files = fv_calloc((size_t) argc, sizeof(char *));
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
		else if (a[0] == '-' && a[1] == '-')
		{
			int			k;
			size_t		n = strcspn(a, "=");

			for (k = 0; valued[k]; k++)
				if (strlen(valued[k]) == n && strncmp(a, valued[k], n) == 0)
					break;
			if (valued[k] == NULL)
				usage_error(fv_printf("unknown option %s", a));
			if (a[n] == '=')
				*slots[k] = a + n + 1;
			else if (i + 1 >= argc)
				usage_error(fv_printf("%s needs a value", a));
			else
				*slots[k] = argv[++i];
		}
		else if (a[0] == '-' && a[1] != '\0')
			usage_error(fv_printf("unknown option %s", a));
		else if (command == NULL)
			command = a;
		else
		{
			files[nfiles++] = a;
			nstdin += strcmp(a, "-") == 0;
		}
	}
	if (command == NULL)
		usage_error("no command (" FV_COMMANDS ")");
	if (strcmp(command, "document") == 0)
		cmd = FV_CMD_DOCUMENT;
	else if (strcmp(command, "proof") == 0)
		cmd = FV_CMD_PROOF;
	else if (strcmp(command, "bundle") == 0)
		cmd = FV_CMD_BUNDLE;
	else if (strcmp(command, "log-inclusion") == 0)
		cmd = FV_CMD_LOG_INCLUSION;
	else if (strcmp(command, "log-consistency") == 0)
		cmd = FV_CMD_LOG_CONSISTENCY;
	else if (strcmp(command, "checkpoint") == 0)
		cmd = FV_CMD_CHECKPOINT;
	else if (strcmp(command, "chain") == 0)
		cmd = FV_CMD_CHAIN;
	else
		usage_error(fv_printf("unknown command %s (" FV_COMMANDS ")", command));
	if (nfiles == 0)
		usage_error(fv_printf("%s needs a FILE (- for standard input)", command));
	if (nfiles > 1 && cmd != FV_CMD_DOCUMENT && cmd != FV_CMD_BUNDLE)
		usage_error(fv_printf("unexpected argument %s (only document and bundle take several FILEs)", files[1]));
	if (nstdin > 1)
		usage_error("- (standard input) can be read only once");
	if (cmd >= FV_CMD_LOG_INCLUSION)
	{
		code = log_main(cmd, command, files[0], json, quiet, &(fv_log_files) {
			cp_file, old_file, new_file, envelope_file, anchored_file, leaf_text, vkey,
			root_text != NULL || core_file != NULL || details || timing_wanted});
		free(files);
		fv_ctx_release();
		return code;
	}
	if (cp_file || old_file || new_file || envelope_file || anchored_file || leaf_text || vkey)
		usage_error("--checkpoint, --old, --new, --leaf, --envelope, --anchored and --vkey go with the log's commands");
	if (cmd == FV_CMD_PROOF)
	{
		if (root_text == NULL)
			usage_error("proof needs --root sha256:HEX, the root you trust");
		if (!parse_root(root_text, root))
			usage_error("--root must be \"sha256:\" followed by 64 lower-case hex digits");
	}
	else if (root_text != NULL || core_file != NULL)
		usage_error("--root and --core go with the proof command");

	for (int k = 0; k < nfiles; k++)
	{
		int			c = check_file(&(fv_opts) {cmd, command, root, core_file, details,
				timing_wanted, json, quiet}, files[k], nfiles > 1 ? files[k] : NULL);

		if (c > code)
			code = c;
	}
	free(files);
	fv_ctx_release();
	return code;
}
