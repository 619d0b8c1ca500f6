/* runtime/rt_console.c - System.Console.Write/WriteLine for primitives and
 * strings, and the number formats of Mono 6.8.
 *
 * Double formatting: Mono's default ToString() is "G15" for double and "G7"
 * for float. snprintf("%.*e") gives the correctly rounded significant digits
 * and the decimal exponent; the digits are then laid out the way .NET's
 * general format does: fixed notation when -5 < exponent < precision, else
 * d.dddE+XX, trailing zeros dropped in both.
 *
 * The console's encoding follows the locale, as Mono's does: Mono takes
 * nl_langinfo(CODESET) after setlocale(LC_ALL, ""), so UTF-8 only when the
 * locale is a UTF-8 one that is installed; otherwise each UTF-16 unit
 * becomes one byte of the locale's charset, or '?' when the charset has no
 * byte for it (every non-ASCII unit in the C locale, both halves of a
 * surrogate pair included: Mono writes "??" for one emoji there). */
#include "runtime/rt_console.h"

#include "base/abi_bcl.h"

#include <errno.h>
#include <iconv.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { CONSOLE_BUF = 1 << 16 };

static struct {
	char buf[CONSOLE_BUF];
	size_t len;
	int fd;
	int fd_set;
	int line_mode;           /* 1: flush at each newline (a terminal), 0: not yet known */
	uint16_t pending_high;   /* a high surrogate waiting for its pair */
	int encoding;            /* ENC_*, 0 until the locale is read */
	iconv_t to_charset;      /* ENC_ICONV: UCS-2 to the locale's charset */
} con;

enum { ENC_UTF8 = 1, ENC_ASCII, ENC_ICONV };

static int encoding(void)
{
	if (con.encoding)
		return con.encoding;
	/* Only LC_CTYPE matters here; the number formats stay invariant. */
	setlocale(LC_CTYPE, "");
	const char *cs = nl_langinfo(CODESET);
	if (cs && strcmp(cs, "UTF-8") == 0) {
		con.encoding = ENC_UTF8;
	} else if (!cs || strcmp(cs, "ANSI_X3.4-1968") == 0) {
		con.encoding = ENC_ASCII;
	} else {
		con.to_charset = iconv_open(cs, "UCS-2LE");
		con.encoding = con.to_charset == (iconv_t)-1 ? ENC_ASCII : ENC_ICONV;
	}
	return con.encoding;
}

static int console_fd(void)
{
	return con.fd_set ? con.fd : 1;
}

void rt_console_set_fd(int fd)
{
	rt_console_flush(0);
	con.fd_set = fd >= 0;
	con.fd = fd;
	con.line_mode = 0;
}

/* On a terminal each line appears when written, as with Mono (whose
 * Console.Out flushes every write); into a pipe or file the buffer is
 * written when full and when the program ends. */
static int line_mode(void)
{
	if (!con.line_mode)
		con.line_mode = isatty(console_fd()) ? 1 : 2;
	return con.line_mode == 1;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* stdout closed: Mono ignores it too */
		p += w;
		n -= (size_t)w;
	}
}

static void put_bytes(const char *s, size_t n)
{
	if (con.len + n > sizeof con.buf) {
		rt_console_flush(0);
		if (n > sizeof con.buf) {
			write_all(console_fd(), s, n);
			return;
		}
	}
	memcpy(con.buf + con.len, s, n);
	con.len += n;
	if (n > 0 && s[n - 1] == '\n' && line_mode())
		rt_console_flush(0);
}

static void put_code_point(uint32_t cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	put_bytes(b, n);
}

static void put_byte_unit(uint16_t u);

static void put_unit(uint16_t u)
{
	if (encoding() != ENC_UTF8) {
		put_byte_unit(u);
		return;
	}
	if (con.pending_high) {
		uint16_t hi = con.pending_high;
		con.pending_high = 0;
		if (u >= 0xdc00 && u <= 0xdfff) {
			put_code_point(0x10000 + (((uint32_t)hi - 0xd800) << 10) +
				       (u - 0xdc00));
			return;
		}
		put_code_point(0xfffd);
	}
	if (u >= 0xd800 && u <= 0xdbff)
		con.pending_high = u;
	else if (u >= 0xdc00 && u <= 0xdfff)
		put_code_point(0xfffd);
	else
		put_code_point(u);
}

/* One byte per UTF-16 unit in a non-UTF-8 locale, '?' when the charset
 * has none (surrogates never convert on their own). */
static void put_byte_unit(uint16_t u)
{
	char b = '?';
	if (u < 0x80) {
		b = (char)u;
	} else if (con.encoding == ENC_ICONV && (u < 0xd800 || u > 0xdfff)) {
		unsigned char in[2] = { (unsigned char)(u & 0xff), (unsigned char)(u >> 8) };
		char out[8], *ip = (char *)in, *op = out;
		size_t il = sizeof in, ol = sizeof out;
		iconv(con.to_charset, NULL, NULL, NULL, NULL);
		if (iconv(con.to_charset, &ip, &il, &op, &ol) != (size_t)-1 && op - out == 1)
			b = out[0];
	}
	put_bytes(&b, 1);
}

void rt_console_write_utf16(const uint16_t *units, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_unit(units[i]);
}

void rt_console_write_utf8(const char *s, size_t n)
{
	if (con.pending_high) {
		con.pending_high = 0;
		put_code_point(0xfffd);
	}
	put_bytes(s, n);
}

void rt_console_flush(int final)
{
	if (final && con.pending_high) {
		con.pending_high = 0;
		put_code_point(0xfffd);
	}
	write_all(console_fd(), con.buf, con.len);
	con.len = 0;
}

/* ---- number formats ---- */

size_t rt_format_u8(uint64_t v, char *out)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = 0;
	return n;
}

size_t rt_format_i8(int64_t v, char *out)
{
	if (v >= 0)
		return rt_format_u8((uint64_t)v, out);
	out[0] = '-';
	return 1 + rt_format_u8(-(uint64_t)v, out + 1);
}

/* .NET's general format of a finite non-zero value with `prec` significant
 * digits. */
static size_t format_general(double v, int prec, char *out)
{
	char sci[80], digits[24];
	/* 40 digits, then rounded half away from zero at prec like Mono
	 * (printf itself would round half to even). */
	snprintf(sci, sizeof sci, "%.40e", v);
	const char *p = sci;
	size_t o = 0, nd = 0;
	if (*p == '-')
		out[o++] = *p++;
	char all[48];
	size_t na = 0;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			all[na++] = *p;
	int exp = atoi(p + 1);
	nd = (size_t)prec;
	memcpy(digits, all, nd);
	if (all[nd] >= '5') {
		size_t i = nd;
		while (i > 0 && digits[i - 1] == '9')
			digits[--i] = '0';
		if (i == 0) {
			/* 9.99..9 rounded up to 10.00..0 */
			digits[0] = '1';
			exp++;
		} else {
			digits[i - 1]++;
		}
	}
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (exp > -5 && exp < prec) {
		if (exp < 0) {
			out[o++] = '0';
			out[o++] = '.';
			for (int i = -1; i > exp; i--)
				out[o++] = '0';
			memcpy(out + o, digits, nd);
			o += nd;
		} else {
			for (int i = 0; i <= exp; i++)
				out[o++] = (size_t)i < nd ? digits[i] : '0';
			if (nd > (size_t)exp + 1) {
				out[o++] = '.';
				memcpy(out + o, digits + exp + 1, nd - (size_t)exp - 1);
				o += nd - (size_t)exp - 1;
			}
		}
	} else {
		out[o++] = digits[0];
		if (nd > 1) {
			out[o++] = '.';
			memcpy(out + o, digits + 1, nd - 1);
			o += nd - 1;
		}
		o += (size_t)sprintf(out + o, "E%c%02d", exp < 0 ? '-' : '+',
				     exp < 0 ? -exp : exp);
	}
	out[o] = 0;
	return o;
}

static size_t format_float(double v, int prec, char *out)
{
	const char *s = NULL;
	if (isnan(v))
		s = "NaN";
	else if (isinf(v))
		s = v > 0 ? "Infinity" : "-Infinity";
	else if (v == 0)
		s = "0"; /* Mono 6.8 prints -0.0 as "0" */
	if (s) {
		strcpy(out, s);
		return strlen(s);
	}
	return format_general(v, prec, out);
}

size_t rt_format_r8(double v, char *out)
{
	return format_float(v, 15, out);
}

size_t rt_format_r4(float v, char *out)
{
	return format_float((double)v, 7, out);
}

/* ---- the helpers of base/abi_bcl.h ---- */

static void put_text(const char *s, size_t n, int newline)
{
	rt_console_write_utf8(s, n);
	if (newline)
		rt_console_write_utf8("\n", 1);
}

static void put_string(const ngrt_string *s, int newline)
{
	if (s)
		rt_console_write_utf16(s->chars, (size_t)s->length);
	if (newline)
		rt_console_write_utf8("\n", 1);
}

static void put_char(uint16_t c, int newline)
{
	put_unit(c);
	if (newline)
		rt_console_write_utf8("\n", 1);
}

static void put_bool(uint8_t v, int newline)
{
	put_text(v ? "True" : "False", v ? 4 : 5, newline);
}

#define FMT_PUT_(fn, v, nl)                                                  \
	do {                                                                 \
		char b_[RT_FORMAT_MAX];                                      \
		put_text(b_, fn(v, b_), nl);                                 \
	} while (0)

void ngrt_Console_WriteLine(void) { rt_console_write_utf8("\n", 1); }
void ngrt_Console_WriteLine_bool(uint8_t v) { put_bool(v, 1); }
void ngrt_Console_WriteLine_char(uint16_t v) { put_char(v, 1); }
void ngrt_Console_WriteLine_i4(int32_t v) { FMT_PUT_(rt_format_i8, v, 1); }
void ngrt_Console_WriteLine_u4(uint32_t v) { FMT_PUT_(rt_format_u8, v, 1); }
void ngrt_Console_WriteLine_i8(int64_t v) { FMT_PUT_(rt_format_i8, v, 1); }
void ngrt_Console_WriteLine_u8(uint64_t v) { FMT_PUT_(rt_format_u8, v, 1); }
void ngrt_Console_WriteLine_r4(float v) { FMT_PUT_(rt_format_r4, v, 1); }
void ngrt_Console_WriteLine_r8(double v) { FMT_PUT_(rt_format_r8, v, 1); }
void ngrt_Console_WriteLine_string(ngrt_string *v) { put_string(v, 1); }
void ngrt_Console_Write_bool(uint8_t v) { put_bool(v, 0); }
void ngrt_Console_Write_char(uint16_t v) { put_char(v, 0); }
void ngrt_Console_Write_i4(int32_t v) { FMT_PUT_(rt_format_i8, v, 0); }
void ngrt_Console_Write_u4(uint32_t v) { FMT_PUT_(rt_format_u8, v, 0); }
void ngrt_Console_Write_i8(int64_t v) { FMT_PUT_(rt_format_i8, v, 0); }
void ngrt_Console_Write_u8(uint64_t v) { FMT_PUT_(rt_format_u8, v, 0); }
void ngrt_Console_Write_r4(float v) { FMT_PUT_(rt_format_r4, v, 0); }
void ngrt_Console_Write_r8(double v) { FMT_PUT_(rt_format_r8, v, 0); }
void ngrt_Console_Write_string(ngrt_string *v) { put_string(v, 0); }
