// TableWriter / tabwriter_layout against output captured from podman 4.3.1 on this
// machine (`podman ps -a`, `podman images`, `podman ps --format 'table ...'`).
#include <gtest/gtest.h>

#include "cli/go_template.hpp"
#include "cli/table_writer.hpp"

using pc::cli::header_for_field;
using pc::cli::TableWriter;
using pc::cli::tabwriter_layout;

TEST(CliFormatTable, PodmanPsEmpty) {
    TableWriter t({"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"});
    EXPECT_EQ(t.render(), "CONTAINER ID  IMAGE       COMMAND     CREATED     STATUS      PORTS       NAMES\n");
}

TEST(CliFormatTable, PodmanPsRows) {
    TableWriter t({"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"});
    t.add_row({"9a7037e7af51", "localhost/bb:latest", "sleep 1000", "Less than a second ago", "Created", "", "c_created"});
    t.add_row({"b5d8cf193ba6", "localhost/bb:latest", "sh -c exit 3", "Less than a second ago", "Created", "", "c_exited"});
    EXPECT_EQ(t.render(),
              "CONTAINER ID  IMAGE                COMMAND       CREATED                 STATUS      PORTS       NAMES\n"
              "9a7037e7af51  localhost/bb:latest  sleep 1000    Less than a second ago  Created                 c_created\n"
              "b5d8cf193ba6  localhost/bb:latest  sh -c exit 3  Less than a second ago  Created                 c_exited\n");
}

TEST(CliFormatTable, PodmanImages) {
    TableWriter t({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
    t.add_row({"localhost/bb", "latest", "49ef03dabf80", "Less than a second ago", "2 MB"});
    EXPECT_EQ(t.render(),
              "REPOSITORY    TAG         IMAGE ID      CREATED                 SIZE\n"
              "localhost/bb  latest      49ef03dabf80  Less than a second ago  2 MB\n");
}

TEST(CliFormatTable, NoHeadersAndEmpty) {
    TableWriter none({});
    EXPECT_EQ(none.render(), "");
    none.add_row({"a", "b"});
    EXPECT_EQ(none.render(), "a           b\n");
}

TEST(CliFormatTable, UserTableFormats) {
    // podman ps -a --format 'table {{.Names}}\t{{.Labels}}\t{{.Command}}'
    EXPECT_EQ(tabwriter_layout("NAMES\tLABELS\tCOMMAND\n"
                               "c_created\tmap[a:b zz:x y]\ttrue\n"
                               "another_longer_name\tmap[]\tsleep 5\n"),
              "NAMES                LABELS           COMMAND\n"
              "c_created            map[a:b zz:x y]  true\n"
              "another_longer_name  map[]            sleep 5\n");
    // A trailing tab makes the last named column a padded column: 'table {{.Names}}\t'
    EXPECT_EQ(tabwriter_layout("NAMES\t\nc_created\t\nanother_longer_name\t\n"),
              "NAMES                \n"
              "c_created            \n"
              "another_longer_name  \n");
    // Column blocks: widths are computed per run of lines having the column.
    // podman ps -a --format 'table {{.Names}}{{if eq .Names "c_created"}}\t{{.ID}}\tx{{end}}'
    EXPECT_EQ(tabwriter_layout("NAMES\nc_created\t6f392771b35f\tx\nanother_longer_name\n"),
              "NAMES\n"
              "c_created   6f392771b35f  x\n"
              "another_longer_name\n");
    // podman ps --format 'table {{.ID}}\t{{.Names}}\t{{.CreatedAt}}'
    EXPECT_EQ(tabwriter_layout("CONTAINER ID\tNAMES\tCREATED AT\n"
                               "2c09ae080f59\tanother_longer_name\t2026-11-22 09:06:32.70991415 +0000 UTC\n"),
              "CONTAINER ID  NAMES                CREATED AT\n"
              "2c09ae080f59  another_longer_name  2026-11-22 09:06:32.70991415 +0000 UTC\n");
}

TEST(CliFormatTable, TabwriterDetails) {
    EXPECT_EQ(tabwriter_layout(""), "");
    EXPECT_EQ(tabwriter_layout("no tabs\n"), "no tabs\n");
    EXPECT_EQ(tabwriter_layout("a\tb"), "a           b");  // no final newline stays without
    // Widths count UTF-8 characters, not bytes.
    EXPECT_EQ(tabwriter_layout("h\u00e9llo\tx\nab\ty\n", 0, 2), "h\u00e9llo  x\nab     y\n");
    // Explicit parameters: minwidth 0, padding 1.
    EXPECT_EQ(tabwriter_layout("a\tbb\tc\naaa\tb\tc\n", 0, 1), "a   bb c\naaa b  c\n");
    // Nested blocks: column 1 is sized over lines 1-2 only.
    EXPECT_EQ(tabwriter_layout("x\ty\tz\nxx\tyyyyyyyyyyyyyyyy\tz\nxxx\tq\n", 0, 1),
              "x   y                z\nxx  yyyyyyyyyyyyyyyy z\nxxx q\n");
    // An empty line ends all blocks.
    EXPECT_EQ(tabwriter_layout("a\tb\n\nlonger_cell\tc\n", 0, 1), "a b\n\nlonger_cell c\n");
}

TEST(CliFormatTable, TemplateRowsThroughTabwriter) {
    // The whole `--format 'table ...'` path: header from table_fields, rows from render.
    auto t = pc::cli::GoTemplate::parse("table {{.ID}}\\t{{.Names}}");
    ASSERT_TRUE(t.is_table());
    std::string text;
    for (const auto& f : t.table_fields()) text += (text.empty() ? "" : "\t") + header_for_field(f);
    text += "\n";
    text += t.render(nlohmann::json::parse(R"({"ID":"6f392771b35f","Names":"c_created"})"));
    text += t.render(nlohmann::json::parse(R"({"ID":"2c09ae080f59","Names":"another_longer_name"})"));
    // podman ps -a --format 'table {{.ID}}\t{{.Names}}' (header ID is mapped to
    // "CONTAINER ID" by podman's ps overrides; the default header is "ID").
    EXPECT_EQ(pc::cli::tabwriter_layout(text),
              "ID            NAMES\n"
              "6f392771b35f  c_created\n"
              "2c09ae080f59  another_longer_name\n");
}

TEST(CliFormatTable, HeaderForField) {
    EXPECT_EQ(header_for_field("ID"), "ID");
    EXPECT_EQ(header_for_field("Names"), "NAMES");
    EXPECT_EQ(header_for_field("CreatedAt"), "CREATED AT");
    EXPECT_EQ(header_for_field("RunningFor"), "RUNNING FOR");
    EXPECT_EQ(header_for_field("IPAddress"), "IP ADDRESS");
    EXPECT_EQ(header_for_field("PDFLoader"), "PDF LOADER");
    EXPECT_EQ(header_for_field("Config.Image"), "IMAGE");
    EXPECT_EQ(header_for_field("Port80"), "PORT 80");
    EXPECT_EQ(header_for_field(""), "");
}
