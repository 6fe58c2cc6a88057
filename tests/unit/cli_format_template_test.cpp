// GoTemplate against Go text/template semantics. Expected strings marked "podman" were
// captured from podman 4.3.1 (`podman ps --format ...`) on the same inputs.
#include <gtest/gtest.h>

#include "cli/go_template.hpp"
#include "common/error.hpp"

using nlohmann::json;
using pc::cli::GoTemplate;
namespace gt = pc::cli::gotmpl;

namespace {

const json kData = json::parse(R"({
  "Names": "c_created", "Labels": {"a": "b", "zz": "x y"}, "Cmd": ["sh", "-c", "exit 3"],
  "State": {"Pid": 42, "Status": "running", "Health": null}, "N": 5, "F": 1.5, "E": [],
  "Mounts": [{"Source": "/a", "Destination": "/x"}, {"Source": "/b", "Destination": "/y"}],
  "Html": "<a&b>", "Neg": -3, "Big": 18446744073709551615
})");

std::string R(const std::string& tmpl, const json& data = kData) { return GoTemplate::parse_raw(tmpl).render(data); }

std::string Err(const std::string& tmpl, const json& data = kData) {
    try {
        GoTemplate::parse_raw(tmpl, "ps").render(data);
    } catch (const pc::Error& e) {
        return e.what();
    }
    return "<no error>";
}

}  // namespace

TEST(CliFormatTemplate, TextAndFields) {
    EXPECT_EQ(R("plain text"), "plain text");
    EXPECT_EQ(R(""), "");
    EXPECT_EQ(R("{{.Names}}"), "c_created");
    EXPECT_EQ(R("{{.State.Pid}}"), "42");
    EXPECT_EQ(R("{{.State.Status}}/{{.N}}"), "running/5");
    EXPECT_EQ(R("{{.}}", json("x")), "x");
    EXPECT_EQ(R("{{.Big}}"), "18446744073709551615");
    EXPECT_EQ(R("{{.Neg}}"), "-3");
}

TEST(CliFormatTemplate, MissingKeysPrintNoValue) {
    EXPECT_EQ(R("{{.Nope}}"), "<no value>");
    EXPECT_EQ(R("{{.Nope.Deeper}}"), "<no value>");
    EXPECT_EQ(R("{{.State.Health.Status}}"), "<no value>");
    EXPECT_EQ(R("{{.Labels.nope}}"), "<no value>");  // podman
    EXPECT_EQ(R("{{index .Labels \"nope\"}}"), "");  // podman: string map zero value
    EXPECT_EQ(R("{{index .Nope \"k\"}}"), "");
    EXPECT_EQ(R("{{.State.Health}}"), "<no value>");
}

TEST(CliFormatTemplate, ValuePrintingLikeGoFmt) {
    EXPECT_EQ(R("{{.Labels}}"), "map[a:b zz:x y]");  // podman
    EXPECT_EQ(R("{{.Cmd}}"), "[sh -c exit 3]");
    EXPECT_EQ(R("{{.E}}"), "[]");
    EXPECT_EQ(R("{{.Mounts}}"), "[map[Destination:/x Source:/a] map[Destination:/y Source:/b]]");
    EXPECT_EQ(R("{{.F}} {{true}} {{false}}"), "1.5 true false");
    EXPECT_EQ(R("{{1e6}} {{123456789.0}} {{0.000012}} {{1.0}} {{100000.0}}"), "1e+06 1.23456789e+08 1.2e-05 1 100000");
    EXPECT_EQ(R("{{.X}}", json::parse(R"({"X":[1,null,"a"]})")), "[1 <nil> a]");
    EXPECT_EQ(R("{{.X}}", json::parse(R"({"X":{"k":null}})")), "map[k:<nil>]");
}

TEST(CliFormatTemplate, Literals) {
    // podman
    EXPECT_EQ(R("{{'a'}} {{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}} {{-5}} {{+5}} {{1.0}} {{1e3}} {{.5}}"),
              "97 31 15 15 5 1000 -5 5 1 1000 0.5");
    EXPECT_EQ(R(R"({{"a\tb\n\x41\u00e9\U0001F600\\\""}})"), "a\tb\nA\xC3\xA9\xF0\x9F\x98\x80\\\"");
    EXPECT_EQ(R("{{`raw \\n string`}}"), "raw \\n string");
    EXPECT_EQ(R("{{print nil}}"), "<nil>");
}

TEST(CliFormatTemplate, TrimMarkersAndComments) {
    EXPECT_EQ(R("a  {{- .N -}}  b"), "a5b");
    EXPECT_EQ(R("a \n {{- .N}} b"), "a5 b");
    EXPECT_EQ(R("{{.N -}}\n\n x"), "5x");
    EXPECT_EQ(R("{{/* comment */}}a {{- /* c2 */ -}} b"), "ab");  // podman
    EXPECT_EQ(R("x{{/* multi\nline */}}y"), "xy");
    EXPECT_EQ(R("{{-3}}"), "-3");  // not a trim marker without the space
    EXPECT_EQ(R("{{ .Names }}"), "c_created");
    EXPECT_EQ(R("{{\n.Names\n}}"), "c_created");
}

TEST(CliFormatTemplate, Variables) {
    EXPECT_EQ(R("{{$x := 1}}{{$x}}{{$x = 2}}{{$x}}{{if true}}{{$x = 3}}{{$y := 9}}{{end}}{{$x}}"), "123");  // podman
    EXPECT_EQ(R("{{range .Mounts}}{{$.Names}}:{{.Source}} {{end}}"), "c_created:/a c_created:/b ");
    EXPECT_EQ(R("{{$m := .Mounts}}{{(index $m 1).Source}}"), "/b");
    EXPECT_EQ(R("{{$l := .Labels}}{{$l.zz}}"), "x y");
    EXPECT_EQ(R("{{with $v := .Names}}{{$v}}{{end}}"), "c_created");
    EXPECT_EQ(R("{{$}}", json(7)), "7");
}

TEST(CliFormatTemplate, Pipelines) {
    EXPECT_EQ(R("{{\"a\" | printf \"%s-%s\" \"b\"}} {{\"x\" | len}} {{(split \"a b\" \" \") | len}}"), "b-a 1 2");
    EXPECT_EQ(R("{{.Names | upper | printf \"%s!\"}}"), "C_CREATED!");
    EXPECT_EQ(R("{{(index .Mounts 0).Destination}}"), "/x");
    EXPECT_EQ(R("{{.Names | }}"), "c_created");  // Go accepts a trailing pipe (podman)
}

TEST(CliFormatTemplate, IfElse) {
    EXPECT_EQ(R("{{if 0}}a{{else if \"\"}}b{{else if 1}}c{{else}}d{{end}}"), "c");
    EXPECT_EQ(R("{{if .E}}y{{else}}n{{end}}{{if .Cmd}}y{{end}}{{if .Nope}}y{{else}}n{{end}}"), "nyn");
    EXPECT_EQ(R("{{if and .N .Names}}ok{{end}}{{if or .E .Nope}}bad{{else}}no{{end}}"), "okno");
    EXPECT_EQ(R("{{if eq .State.Status \"running\" \"paused\"}}live{{end}}"), "live");
    EXPECT_EQ(R("{{if not .E}}empty{{end}}"), "empty");
}

TEST(CliFormatTemplate, With) {
    EXPECT_EQ(R("{{with .State}}{{.Pid}}{{end}}"), "42");
    EXPECT_EQ(R("{{with .E}}x{{else}}empty{{end}}"), "empty");
    EXPECT_EQ(R("{{with \"\"}}a{{else with \"w\"}}{{.}}{{end}}"), "w");
}

TEST(CliFormatTemplate, Range) {
    EXPECT_EQ(R("{{range .Mounts}}{{.Source}} {{end}}"), "/a /b ");
    EXPECT_EQ(R("{{range $i, $e := .Cmd}}{{$i}}={{$e}};{{end}}"), "0=sh;1=-c;2=exit 3;");
    EXPECT_EQ(R("{{range $e := .Cmd}}{{$e}},{{end}}"), "sh,-c,exit 3,");
    EXPECT_EQ(R("{{range $k, $v := .Labels}}{{$k}}={{$v}};{{else}}none{{end}}"), "a=b;zz=x y;");  // podman
    EXPECT_EQ(R("{{range .E}}x{{else}}none{{end}}"), "none");
    EXPECT_EQ(R("{{range .Nope}}x{{else}}none{{end}}"), "none");
    EXPECT_EQ(R("{{range $i, $e := split \"a,b,c\" \",\"}}{{if eq $i 1}}{{continue}}{{end}}{{$i}}{{$e}}{{end}}|"
                "{{range split \"a,b,c\" \",\"}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}"),
              "0a2c|a");  // podman
    EXPECT_EQ(R("{{range 3}}{{.}}{{end}}"), "012");
    EXPECT_EQ(R("{{range .Cmd}}{{$x := .}}{{$x}}{{end}}"), "sh-cexit 3");
    // Keys of objects iterate sorted, like Go maps.
    EXPECT_EQ(R("{{range .}}{{.}}{{end}}", json::parse(R"({"b":2,"a":1,"c":3})")), "123");
}

TEST(CliFormatTemplate, JsonFunction) {
    EXPECT_EQ(R("{{json .Labels}}"), R"({"a":"b","zz":"x y"})");
    EXPECT_EQ(R("{{json .Cmd}}"), R"(["sh","-c","exit 3"])");
    EXPECT_EQ(R("{{json .Html}}"), R"("<a&b>")");  // podman's json func: SetEscapeHTML(false)
    EXPECT_EQ(R("{{json .Nope}}"), "null");
    EXPECT_EQ(R(R"({{json "a\u2028b\tc\"\\"}} {{json 1.0}} {{json 100000000000000000000000.0}})"),
              R"("a\u2028b\tc\"\\" 1 1e+23)");  // podman
    EXPECT_EQ(R(R"({{json "\b\f\x01"}})"), R"("\u0008\u000c\u0001")");  // podman
    EXPECT_EQ(R("{{json .E}} {{json .F}} {{json .State}}"), R"([] 1.5 {"Health":null,"Pid":42,"Status":"running"})");
}

TEST(CliFormatTemplate, ToJsonVariants) {
    json v = json::parse(R"({"a":[1,2],"b":{},"c":[],"h":"<&>","f":1e-7,"g":0.000001})");
    EXPECT_EQ(gt::to_json(v, true), R"({"a":[1,2],"b":{},"c":[],"f":1e-7,"g":0.000001,"h":"\u003c\u0026\u003e"})");
    EXPECT_EQ(gt::to_json(json::parse(R"({"a":[1],"b":{}})"), false, 4), "{\n    \"a\": [\n        1\n    ],\n    \"b\": {}\n}");
    EXPECT_EQ(gt::to_json(json("\xff")), R"("\ufffd")");
}

TEST(CliFormatTemplate, IndexLenSlice) {
    EXPECT_EQ(R("{{index .Labels \"zz\"}}"), "x y");
    EXPECT_EQ(R("{{index .Cmd 2}}"), "exit 3");
    EXPECT_EQ(R("{{index .Mounts 1 \"Source\"}}"), "/b");
    EXPECT_EQ(R("{{index .Mounts}}"), "[map[Destination:/x Source:/a] map[Destination:/y Source:/b]]");
    EXPECT_EQ(R("{{len .Cmd}} {{len .Labels}} {{len .Names}} {{len \"héllo\"}}"), "3 2 9 6");
    EXPECT_EQ(R("{{index \"abc\" 1}} {{slice \"abcdef\" 1 3}} {{slice .Cmd 1}}"), "98 bc [-c exit 3]");
}

TEST(CliFormatTemplate, StringFunctions) {
    // podman
    EXPECT_EQ(R("{{title \"hello wORLD foo-bar_baz\"}} {{upper \"abc\"}} {{lower \"ABC\"}} "
                "{{join (split \"a:b:c\" \":\") \"-\"}} {{truncate \"abcdef\" 3}}[{{pad \"ab\" 2 3}}][{{pad \"\" 2 3}}]"),
              "Hello WORLD Foo-Bar_baz ABC abc a-b-c abc[  ab   ][]");
    EXPECT_EQ(R("{{join .Cmd \" \"}}"), "sh -c exit 3");
    EXPECT_EQ(R("{{truncate \"ab\" 5}}"), "ab");
    EXPECT_EQ(R("{{contains .Names \"crea\"}} {{hasPrefix .Names \"c_\"}} {{hasSuffix .Names \"x\"}}"), "true true false");
    EXPECT_EQ(R("{{replace \"a-b-c\" \"-\" \"+\"}} [{{trim \"  x y \\n\"}}]"), "a+b+c [x y]");
    EXPECT_EQ(R("{{split \"a,b\" \",\"}}"), "[a b]");
    // podman
    EXPECT_EQ(R(R"({{len "héllo"}} {{html "<a href='x'>&\"</a>"}} {{urlquery "a b&c=d/é"}})"),
              "6 &lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt; a+b%26c%3Dd%2F%C3%A9");
}

TEST(CliFormatTemplate, Comparisons) {
    // podman
    EXPECT_EQ(R("{{eq 1 1}} {{eq \"a\" \"b\" \"a\"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1 2}} "
                "{{eq 1.0 1.0}}"),
              "true true true true true true false true");
    EXPECT_EQ(R("{{eq .N 5}} {{eq .F 1.5}} {{lt .Neg 0}} {{eq .Big .Big}} {{gt .Big 1}}"),
              "true true true true true");
    // Go refuses int vs float ("incompatible types"); JSON numbers compare by value here.
    EXPECT_EQ(R("{{eq 1 1.0}} {{eq .Nope .Nope2}} {{eq .Nope 1}}"), "true true false");
    EXPECT_EQ(R("{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" \"x\"}} {{or 0 \"\"}} {{not 0}} {{not \"a\"}}"),
              "0 2 x  true false");  // podman
    // and/or short-circuit: the failing index is never evaluated.
    EXPECT_EQ(R("{{and 0 (index .Cmd 99)}} {{or 1 (index .Cmd 99)}}"), "0 1");
}

TEST(CliFormatTemplate, PrintFunctions) {
    EXPECT_EQ(R("{{print \"a\" 1 2 \"b\" true nil}}"), "a1 2btrue <nil>");  // podman
    EXPECT_EQ(R("{{println \"a\" 1}}x"), "a 1\nx");
    EXPECT_EQ(R("{{print .Cmd .N}}"), "[sh -c exit 3] 5");
}

TEST(CliFormatTemplate, Printf) {
    // All captured from podman 4.3.1.
    EXPECT_EQ(R(R"({{printf "%5.2f|%-8q|%08.3f|%+d|% d|%x|%X|%o|%#x|%#o|%b|%c|%U|%e|%E|%g|%G" 3.14159 "hi" -3.14159 5 5 255 255 8 255 8 5 65 65 1234.5678 0.000123 1e21 1e-7}})"),
              " 3.14|\"hi\"    |-003.142|+5| 5|ff|FF|10|0xff|010|101|A|U+0041|1.234568e+03|1.230000E-04|1e+21|1E-07");
    EXPECT_EQ(R(R"({{printf "%s|%v|%d" (split "a,b" ",") (split "a,b" ",") 3}})"), "[a b]|[a b]|3");
    EXPECT_EQ(R(R"({{printf "%6.2s|%-6s|%06s|%.0d|%5.1v" "abcdef" "ab" "ab" 0 "xyz"}})"), "    ab|ab    |0000ab||    x");
    EXPECT_EQ(R(R"({{printf "%v %v %v %v" 100000.0 1000000.0 0.0001 0.00001}})"), "100000 1e+06 0.0001 1e-05");
    EXPECT_EQ(R(R"({{printf "%T %T %T %T" 1 1.5 "s" true}})"), "int float64 string bool");
    EXPECT_EQ(R(R"({{printf "%q" "tab\there\x00\u00e9\U0001F600"}})"), "\"tab\\there\\x00\xC3\xA9\xF0\x9F\x98\x80\"");
    EXPECT_EQ(R(R"({{printf "%%|%z|%!|%" 1}})"), "%|%!z(int=1)|%!!(MISSING)|%!(NOVERB)");
    EXPECT_EQ(R(R"({{printf "%*d|%-*d|%.*f" 5 1 4 2 2 3.14159}})"), "    1|2   |3.14");
    EXPECT_EQ(R(R"({{printf "%[2]d %[1]d" 1 2}})"), "2 1");
    EXPECT_EQ(R(R"({{printf "%d"}})"), "%!d(MISSING)");
    EXPECT_EQ(R(R"({{printf "%d" .Names}})"), "%!d(string=c_created)");
    EXPECT_EQ(R(R"({{printf "%d %s" 1}})"), "1 %!s(MISSING)");
    EXPECT_EQ(R(R"({{printf "%d" 1 2}})"), "1%!(EXTRA int=2)");
    EXPECT_EQ(R(R"({{printf "%x|%X|% x|%#x" "hi" "hi" "hi" "hi"}} {{printf "%5t|%-5t|" true false}})"),
              "6869|6869|68 69|0x6869  true|false|");
    EXPECT_EQ(R(R"({{printf "%v|%+v|%s" nil nil nil}} {{printf "%.3g|%10.4e|%-10.1f|" 1234.5678 1234.5678 3.0}} {{printf "%x %o" -255 -8}})"),
              "<nil>|<nil>|%!s(<nil>) 1.23e+03|1.2346e+03|3.0       | -ff -10");
    EXPECT_EQ(R(R"({{printf "%c|%q|%U|%#U" 0x1F600 0x1F600 0x1F600 0x1F600}} {{printf "%5.1f|%05d|%-05d|%+.2e" -2.25 -42 42 12345.678}})"),
              "\xF0\x9F\x98\x80|'\xF0\x9F\x98\x80'|U+1F600|U+1F600 '\xF0\x9F\x98\x80'  -2.2|-0042|42   |+1.23e+04");
    EXPECT_EQ(R(R"({{printf "%v" 1e20}} {{printf "%v" 123456.0}} {{printf "%v" 1234567.0}} {{printf "%g" 0.00001234}})"),
              "1e+20 123456 1.234567e+06 1.234e-05");
    EXPECT_EQ(R(R"({{printf "%-20s|" .Names}}{{printf "%d %s" .Labels .Labels}})"),
              "c_created           |map[%!d(string=a):%!d(string=b) %!d(string=zz):%!d(string=x y)] map[a:b zz:x y]");
    EXPECT_EQ(gt::sprintf("%s=%v", {json("k"), json::array({1, 2})}), "k=[1 2]");
}

TEST(CliFormatTemplate, ParseErrors) {
    // Messages as podman 4.3.1 prints them (template name "ps").
    EXPECT_EQ(Err("{{.Names}"), "template: ps:1: bad character U+007D '}'");
    EXPECT_EQ(Err("{{foo}}"), "template: ps:1: function \"foo\" not defined");
    EXPECT_EQ(Err("{{$x}}"), "template: ps:1: undefined variable \"$x\"");
    EXPECT_EQ(Err("{{end}}"), "template: ps:1: unexpected {{end}}");
    EXPECT_EQ(Err("{{else}}"), "template: ps:1: unexpected {{else}}");
    EXPECT_EQ(Err("{{if .Names}}"), "template: ps:1: unexpected EOF");
    EXPECT_EQ(Err("{{\"abc}}"), "template: ps:1: unterminated quoted string");
    EXPECT_EQ(Err("abc {{.Names}} {{  }}"), "template: ps:1: missing value for command");
    EXPECT_EQ(Err("{{ } }}"), "template: ps:1: unexpected \"}\" in command");
    EXPECT_EQ(Err("{{.A } }}"), "template: ps:1: unexpected \"}\" in operand");
    EXPECT_EQ(Err("{{.A"), "template: ps:1: unclosed action");
    EXPECT_EQ(Err("{{/* x"), "template: ps:1: unclosed comment");
    EXPECT_EQ(Err("{{/* x */ .A}}"), "template: ps:1: comment ends before closing delimiter");
    EXPECT_EQ(Err("{{(.A}}"), "template: ps:1: unclosed left paren");
    EXPECT_EQ(Err("{{.A)}}"), "template: ps:1: unexpected \")\" in command");  // podman
    EXPECT_EQ(Err("{{3x}}"), "template: ps:1: bad number syntax: \"3x\"");
    EXPECT_EQ(Err("{{\"a\" | \"b\"}}"), "template: ps:1: non executable command in pipeline stage 2");
    EXPECT_EQ(Err("{{break}}"), "template: ps:1: {{break}} outside {{range}}");
    EXPECT_EQ(Err("{{if 1}}a{{else}}b{{else}}c{{end}}"), "template: ps:1: expected end; found {{else}}");
    EXPECT_EQ(Err("{{define \"x\"}}{{end}}"), "template: ps:1: {{define}} is not supported");
    EXPECT_EQ(Err("a\n\n{{.A b}}"), "template: ps:3: function \"b\" not defined");
    EXPECT_EQ(Err("{{\"\\q\"}}"), "template: ps:1: invalid syntax: \"\\q\"");
    EXPECT_EQ(Err("{{range $a, $b, $c := .}}{{end}}"), "template: ps:1: too many declarations in range");
    EXPECT_EQ(Err("{{$x = 1}}"), "template: ps:1: undefined variable \"$x\"");
    EXPECT_EQ(Err("{{if 1}}{{$v := 1}}{{end}}{{$v}}"), "template: ps:1: undefined variable \"$v\"");
    EXPECT_EQ(Err("{{1.A}}"), "template: ps:1: bad number syntax: \"1.A\"");  // podman
    EXPECT_EQ(Err("{{true.A}}"), "template: ps:1: unexpected . after term \"true\"");
    EXPECT_EQ(Err("{{99999999999999999999}}"), "template: ps:1: 99999999999999999999 overflows int");
}

TEST(CliFormatTemplate, ExecErrors) {
    // podman prints the same messages (its column is offset by an injected "{{range .}}").
    EXPECT_EQ(Err("{{index .Labels \"a\" \"b\"}}"),
              "template: ps:1:2: executing \"ps\" at <index .Labels \"a\" \"b\">: error calling index: cannot index "
              "slice/array with type string");
    EXPECT_EQ(Err("{{len 3}}"), "template: ps:1:2: executing \"ps\" at <len 3>: error calling len: len of type int");
    EXPECT_EQ(Err("x {{.Names.Foo}}"),
              "template: ps:1:4: executing \"ps\" at <.Names.Foo>: can't evaluate field Foo in type string");
    EXPECT_EQ(Err("{{eq 1 \"a\"}}"),
              "template: ps:1:2: executing \"ps\" at <eq 1 \"a\">: error calling eq: incompatible types for comparison");
    EXPECT_EQ(Err("{{lt true false}}"),
              "template: ps:1:2: executing \"ps\" at <lt true false>: error calling lt: invalid type for comparison");
    EXPECT_EQ(Err("{{nil}}"), "template: ps:1:2: executing \"ps\" at <nil>: nil is not a command");
    EXPECT_EQ(Err("a\nbc {{range .Names}}{{end}}"),
              "template: ps:2:11: executing \"ps\" at <.Names>: range can't iterate over c_created");
    EXPECT_EQ(Err("{{index .Cmd 7}}"),
              "template: ps:1:2: executing \"ps\" at <index .Cmd 7>: error calling index: index out of range: 7");
    EXPECT_EQ(Err("{{upper 1}}"),
              "template: ps:1:2: executing \"ps\" at <upper 1>: wrong type for value; expected string; got int");
    EXPECT_EQ(Err("{{join .Cmd}}"),
              "template: ps:1:2: executing \"ps\" at <join .Cmd>: wrong number of args for join: want 2 got 1");
    EXPECT_EQ(Err("{{.Names 1}}"), "template: ps:1:2: executing \"ps\" at <.Names>: Names is not a method but has arguments");
    EXPECT_EQ(Err("{{1 | .Names}}"), "template: ps:1:6: executing \"ps\" at <.Names>: Names is not a method but has arguments");
    EXPECT_EQ(Err("{{\"x\" 1}}"), "template: ps:1:2: executing \"ps\" at <\"x\">: can't give argument to non-function \"x\"");
    EXPECT_EQ(Err("{{eq .Cmd .Cmd}}"),
              "template: ps:1:2: executing \"ps\" at <eq .Cmd .Cmd>: error calling eq: non-comparable type [sh -c exit 3]: "
              "[]interface {}");
    EXPECT_EQ(Err("{{and}}"), "template: ps:1:2: executing \"ps\" at <and>: wrong number of args for and: want at least 1 got 0");
}

TEST(CliFormatTemplate, PodmanNormalization) {
    // Backslash-t / backslash-n typed in a shell become tab / newline; a newline is added.
    EXPECT_EQ(GoTemplate::parse("{{.Names}}\\t{{.N}}").render(kData), "c_created\t5\n");  // podman
    EXPECT_EQ(GoTemplate::parse("{{.Names}}\\n").render(kData), "c_created\n");
    EXPECT_EQ(GoTemplate::parse("{{.Names}}\n").render(kData), "c_created\n");
    EXPECT_FALSE(GoTemplate::parse("{{.Names}}").is_table());
    // If the converted text does not parse, the original is used, without a newline.
    EXPECT_EQ(GoTemplate::parse("{{printf \"\\n\"}}").render(kData), "\n");
    EXPECT_EQ(pc::cli::normalize_format("table {{.ID}} {{.Names}}\\t{{.N}}"), "{{.ID}}\t{{.Names}}\t{{.N}}\n");
    EXPECT_EQ(pc::cli::normalize_format("{{.A}} {{.B}}"), "{{.A}} {{.B}}\n");
    // "table" alone is not a table format (podman prints it literally).
    EXPECT_FALSE(GoTemplate::parse("table").is_table());
    EXPECT_EQ(GoTemplate::parse("table").render(kData), "table\n");
    // The template name appears in errors.
    try {
        GoTemplate::parse("{{.Names}", "inspect");
        FAIL();
    } catch (const pc::Error& e) {
        EXPECT_STREQ(e.what(), "template: inspect:1: bad character U+007D '}'");
    }
}

TEST(CliFormatTemplate, TableMode) {
    auto t = GoTemplate::parse("table {{.ID}}\\t{{.Image}}");
    EXPECT_TRUE(t.is_table());
    EXPECT_EQ(t.text(), "{{.ID}}\t{{.Image}}\n");
    EXPECT_EQ(t.table_fields(), (std::vector<std::string>{"ID", "Image"}));
    EXPECT_EQ(t.render(json::parse(R"({"ID":"abc","Image":"img"})")), "abc\timg\n");

    // Spaces separate columns too in table mode (podman's replacer).
    auto t2 = GoTemplate::parse("table {{.Names}} {{upper .Status}}\\t{{json .Config.Labels}}\\t{{\"lit\"}}");
    EXPECT_EQ(t2.table_fields(), (std::vector<std::string>{"Names", "Status", "Config.Labels", ""}));
    EXPECT_EQ(GoTemplate::parse("table {{.Names}}\\t").table_fields(), (std::vector<std::string>{"Names", ""}));
    EXPECT_EQ(GoTemplate::parse("table {{ .ID }}").render(json::parse(R"({"ID":"x"})")), "x\n");
    EXPECT_EQ(GoTemplate::parse("table {{if .A}}{{.B}}{{end}}\\t{{$.C}}").table_fields(),
              (std::vector<std::string>{"A", "C"}));
}

TEST(CliFormatTemplate, HelpersAndTruth) {
    EXPECT_FALSE(gt::truth(json()));
    EXPECT_FALSE(gt::truth(json(0)));
    EXPECT_FALSE(gt::truth(json(0.0)));
    EXPECT_FALSE(gt::truth(json("")));
    EXPECT_FALSE(gt::truth(json::array()));
    EXPECT_FALSE(gt::truth(json::object()));
    EXPECT_TRUE(gt::truth(json(-1)));
    EXPECT_TRUE(gt::truth(json("0")));
    EXPECT_EQ(gt::quote("a\"\\\n\x7f\xff"), "\"a\\\"\\\\\\n\\x7f\\xff\"");
    EXPECT_EQ(gt::format_value(json::parse(R"({"b":[1,2.5],"a":"x"})")), "map[a:x b:[1 2.5]]");
    EXPECT_EQ(gt::sprint({json(1), json(2), json("a"), json(3)}), "1 2a3");
    EXPECT_EQ(gt::sprintln({json(1), json("a")}), "1 a\n");
    EXPECT_TRUE(gt::has_function("printf"));
    EXPECT_FALSE(gt::has_function("call"));
}

TEST(CliFormatTemplate, TemplateIsReusableAndCopyable) {
    auto t = GoTemplate::parse("{{.Names}}");
    GoTemplate copy = t;
    EXPECT_EQ(copy.render(json::parse(R"({"Names":"a"})")), "a\n");
    EXPECT_EQ(t.render(json::parse(R"({"Names":"b"})")), "b\n");
    // Deep nesting is bounded instead of overflowing the stack.
    std::string deep = "{{" + std::string(5000, '(') + "1" + std::string(5000, ')') + "}}";
    EXPECT_THROW(GoTemplate::parse_raw(deep), pc::Error);
}
