from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "archive_erasure" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "person_id" INT NOT NULL,
    "counts" JSONB NOT NULL,
    "by" VARCHAR(64) NOT NULL,
    "at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "archive_erasure" IS 'An erasure on request (PIPL): counts of what went, never the data.';
        CREATE TABLE IF NOT EXISTS "archive_person" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(64),
    "phone" VARCHAR(32),
    "address" VARCHAR(255),
    "member_level" VARCHAR(16),
    "secrecy" VARCHAR(16) NOT NULL,
    "class_band" VARCHAR(4),
    "class_score" DOUBLE PRECISION,
    "class_factors" JSONB NOT NULL,
    "class_at" TIMESTAMPTZ,
    "merged_into_id" INT,
    "erased_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_archive_per_merged__956bb6" ON "archive_person" ("merged_into_id");
COMMENT ON COLUMN "archive_person"."name" IS 'name staff recorded';
COMMENT ON COLUMN "archive_person"."phone" IS 'verified phone, normal form';
COMMENT ON COLUMN "archive_person"."member_level" IS '会员 level; null: not a member';
COMMENT ON COLUMN "archive_person"."class_band" IS 'internal: A/B/C/D';
COMMENT ON COLUMN "archive_person"."class_score" IS 'internal: weighted score 0..100';
COMMENT ON COLUMN "archive_person"."class_factors" IS 'internal: the score''s inputs';
COMMENT ON COLUMN "archive_person"."merged_into_id" IS 'The record this one was merged into (a plain id: the migration tool cannot order a self-reference).';
        CREATE TABLE IF NOT EXISTS "archive_access_request" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(8) NOT NULL,
    "parts" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "status" VARCHAR(12) NOT NULL,
    "decided_at" TIMESTAMPTZ,
    "expires_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "decided_by_id" INT REFERENCES "agent" ("id") ON DELETE CASCADE,
    "person_id" INT NOT NULL REFERENCES "archive_person" ("id") ON DELETE CASCADE,
    "requester_id" INT NOT NULL REFERENCES "agent" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "archive_access_request"."kind" IS 'read or export';
COMMENT ON COLUMN "archive_access_request"."parts" IS 'archive parts asked for';
        CREATE TABLE IF NOT EXISTS "archive_access_log" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "at" TIMESTAMPTZ NOT NULL,
    "staff_name" VARCHAR(64) NOT NULL,
    "person_id" INT NOT NULL,
    "part" VARCHAR(32) NOT NULL,
    "action" VARCHAR(16) NOT NULL,
    "via" VARCHAR(8) NOT NULL,
    "basis" VARCHAR(16) NOT NULL,
    "reason" VARCHAR(255) NOT NULL,
    "request_id" INT REFERENCES "archive_access_request" ("id") ON DELETE SET NULL,
    "staff_id" INT REFERENCES "agent" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_archive_acc_at_45147d" ON "archive_access_log" ("at");
CREATE INDEX IF NOT EXISTS "idx_archive_acc_person__fec141" ON "archive_access_log" ("person_id");
COMMENT ON COLUMN "archive_access_log"."staff_name" IS 'kept as it was at the time';
COMMENT ON COLUMN "archive_access_log"."person_id" IS 'no foreign key: the log outlives erasures';
COMMENT ON COLUMN "archive_access_log"."action" IS 'read, search, reveal, export, write, merge, erase';
COMMENT ON COLUMN "archive_access_log"."via" IS 'api, console, cli';
COMMENT ON COLUMN "archive_access_log"."basis" IS 'role, holding, recent, request, admin';
COMMENT ON TABLE "archive_access_log" IS 'One read (or reveal, export, change) of one part of one person''s archive.';
        CREATE TABLE IF NOT EXISTS "archive_merge" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "moved" JSONB NOT NULL,
    "reason" VARCHAR(32) NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    "undone_at" TIMESTAMPTZ,
    "absorbed_id" INT NOT NULL REFERENCES "archive_person" ("id") ON DELETE CASCADE,
    "by_id" INT REFERENCES "agent" ("id") ON DELETE CASCADE,
    "kept_id" INT NOT NULL REFERENCES "archive_person" ("id") ON DELETE CASCADE,
    "undone_by_id" INT REFERENCES "agent" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "archive_merge"."moved" IS '{\"links\": [...], \"notes\": [...], \"tags\": [...]} ids moved';
COMMENT ON COLUMN "archive_merge"."reason" IS 'staff or phone';
        CREATE TABLE IF NOT EXISTS "archive_note" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "text" TEXT NOT NULL,
    "internal" BOOL NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "author_id" INT REFERENCES "agent" ("id") ON DELETE CASCADE,
    "person_id" INT NOT NULL REFERENCES "archive_person" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "archive_note"."internal" IS 'internal notes never reach the customer';
        CREATE TABLE IF NOT EXISTS "archive_tag" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "tag" VARCHAR(32) NOT NULL,
    "person_id" INT NOT NULL REFERENCES "archive_person" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_archive_tag_person__b1443d" UNIQUE ("person_id", "tag")
);
        CREATE TABLE IF NOT EXISTS "archive_person_link" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "how" VARCHAR(16) NOT NULL,
    "phone_seen" VARCHAR(32),
    "linked_at" TIMESTAMPTZ NOT NULL,
    "person_id" INT NOT NULL REFERENCES "archive_person" ("id") ON DELETE CASCADE,
    "customer_id" INT NOT NULL UNIQUE REFERENCES "customer" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "archive_person_link"."how" IS 'new, phone (same verified phone), merge';
COMMENT ON COLUMN "archive_person_link"."phone_seen" IS 'the customer''s phone when last linked';
        CREATE TABLE IF NOT EXISTS "archive_staff_leave" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "counts" JSONB NOT NULL,
    "by" VARCHAR(64) NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    "from_agent_id" INT NOT NULL REFERENCES "agent" ("id") ON DELETE CASCADE,
    "to_agent_id" INT NOT NULL REFERENCES "agent" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "archive_staff_leave"."counts" IS '{\"customers\": n, \"conversations\": n, \"cases\": n, ...}';
COMMENT ON COLUMN "archive_staff_leave"."by" IS 'staff name or cli';
COMMENT ON TABLE "archive_staff_leave" IS '离职交接: who left, who took over, how much moved.';
        ALTER TABLE "agent" ADD "session_epoch" INT NOT NULL DEFAULT 0;
        ALTER TABLE "agent" ADD "active" BOOL NOT NULL DEFAULT True;
        COMMENT ON COLUMN agent."session_epoch" IS 'Sessions carry the epoch they were opened in; raising it ends every session at once (R-ARCHIVE-10).';
COMMENT ON COLUMN agent."active" IS 'False once the staff member left (离职交接): the login is refused (docs/rules.md R-ARCHIVE-9).';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "agent" DROP COLUMN "session_epoch";
        ALTER TABLE "agent" DROP COLUMN "active";
        DROP TABLE IF EXISTS "archive_note";
        DROP TABLE IF EXISTS "archive_access_request";
        DROP TABLE IF EXISTS "archive_tag";
        DROP TABLE IF EXISTS "archive_staff_leave";
        DROP TABLE IF EXISTS "archive_erasure";
        DROP TABLE IF EXISTS "archive_person";
        DROP TABLE IF EXISTS "archive_access_log";
        DROP TABLE IF EXISTS "archive_person_link";
        DROP TABLE IF EXISTS "archive_merge";"""


MODELS_STATE = (
    "eJztXVtz2ziW/isovXRSpXhkxbKddCpVdto9410nzjrOzO62u1QQCUkYUwSHIK14e/q/Lw"
    "CSEq8SQZESSCMPjkTiUOR3QODczx+9BTGRRY8++dQjC+T23oM/ejZcIPYhc64PetBx1mf4"
    "AQ9OLDHYiI+aUM+FhseOT6FFETtkImq42PEwsdlR27csfpAYbCC2Z+tDvo3/5aOxR2bIm4"
    "v7+e23njGHto0sfmn0w0OuDa0xNnu//84OYNtEPxDlA/lX53E8xcgyEw/CxrJT4vjYe3bE"
    "sWvb+1UM5PcxGRvE8hf2erDz7M2JvRqNbY8fnSEbudBD/PKe6/MH4/cdYhA9a/AM6yHBLc"
    "ZoTDSFvuXFgJiM18d64/GX2/vxt6v78bgnAZ1BbA47u1Uqnn7Gb+HN8Pjk7OT87enJORsi"
    "bnN15OzP4KfXwASEAp4v970/xXnowWCEwHgNaowpSWQ/zaGbD22MJIUvu/E0vhGamwCODq"
    "wRXs+3fUC8gD/GFrJn3px9PT7dgOffL+4+/e3i7tXx6Wv+g4S9HsF78yU8MxSnOORriOOT"
    "XQLmFJnKUPeIg2xsAuKCJZq8YRPEA0+YYo8dCO5emgvD8zJsGJ4X84GfSzJC/C/BgWh8Je"
    "jDRULNSX56UgLd05NCcPmpJLYOQ0gK3BVB99B9OyyB7tthIbr8VBJdTMdP2MnCe0mIhaBd"
    "sAWuiFIQTxhVU4vH6kgDKG9A9fL29oZfeUHpvyxx4Po+Be/3z5dXbMkQqLNB2EPxHXKNNX"
    "EYImPie5JwJ+jURrz34L8bDAYP/vkEDhnaBCyg+4g8Bj5wfDpHtNyavR+GGC7ikI1hDkd+"
    "YWc8vEAFkkqCMsUTMyQ9ij6os5/W8UbcX3+++nZ/8flrggu/XNxf8TNDcfQ5dfRVWqxZXQ"
    "T84/r+b4B/Bf97++VKwEmoN3PFL67H3f9vj98T9D0ytslyDM04JtHh6FCCzRak3hjbE+Lb"
    "VXidQ14Dw/ezzwj5iYJ/ILZdej9RcHIO5sBFjvUMluyXGGAvczZAxh0vV2wu1PsydNtVwM"
    "OxfTkngCL3CZmAqckLwG8evHrwTxBfnN8NjuGDPzLeHj/4p2cDk30ewmP+9y07O0LvRq9L"
    "itY16JBcK58+xlRIfmACjccldM1x4kxs5Sb2E3Ip5M9Lc7bTkPzX/7xDlhiUw7DIfBG7VH"
    "sX6vXRcJIlJQ/XZI+4G063/BrKzPB68fHgbNdZFJq37uGsq5MokN/GLjIQZgvLbnh9ZRe7"
    "QwZ2MCq1brYSMRdNkeuy2xovoJmjw8oAdhdeq+tYjQ0GyI4vY4TVJza+83i56J/IqGEfvI"
    "uu09E1PgbYso4pxkde2Z773NUZZkCKdkTpYuoh9xu0EP3ELqbMxBLi8RRbTDrG3s/iAmA5"
    "R3Z4bPLMhWZgQszUpH+SiZSOlMWUy7NkSIok3OSp9HxF5njyXMyEWxvdE/an1v2jjW83dI"
    "05k0rGFrYf64DrK5OXiX0TXq0jgPF5txguUjNxAW2m1prh5ThxnmaU5/hNaU4bnL/pkbU6"
    "gLWbV7t51fHR1O/mfUQ5O0AxvOHweqBtYu72PoQz4OP7Dz5F3JP7sZIr93RQCurBBqwHab"
    "CpBz0/R+wpxntNsb/Z3JsQr9fS6czuCgbbLxPFIQ12hNKxC3nE3XP01u9GD4Gr5O1K07bG"
    "/fEi3V2Oi4mLvZw9o1DYiZNUcmtUWsQGktsGu7KPgLBlvwd/v/5Kmb7mUq/PtTU7+AwMEk"
    "y/fQlGa9jF3VV5uxKE+tVS+dWClOKZXYnLKVLNZ5X5LNaSsfCTV2B1llpzW2VuLyHmAUpj"
    "im0jx0uzmdkZYs1rlXnt29B4ZKtwJV5niDWvVea1I2y4FRbwBKHmsco8tqBDuVDF47JyrD"
    "b/8e32S1E4V4owzWdseODfwMK0Mf2n92Hq28LlCiY+ttg2Qo/4732UtOz0gocA3KtlIQ9g"
    "9tmwiPEIxENKua/yJgUHMTEfIjvDq88X/502QXy6ub1MM5pf4DKlLs2JZYp9M4z/KKmpps"
    "nU1VbDOwULRCljEAX8lgG2mbaKKZhD2yRPQUDV/nVVHhVaSYtJEOqwZ6WXxlDjRHJhrikq"
    "hYNc9+wCi7m8wlg/OWBTVPtbuBRHNhP/mwU6i/KvxEVsmv4nehZgX7O7gvkyeU6ScstALn"
    "Lns8MuXK783OkJxjBgT46C3JdPF98+Xfxy1ctdIGqA92JWLoxTsZWhLLSpRTEf2jJx65Ew"
    "kIVcJqzqc3CVDs3lZDYt8XZF6G+hePWFXaqrMFlo6o3rmVA37FIdn1TUgmP0lK8lykD1zY"
    "JXTx2LWZeKUJQMIoumVU78WGzGFYeOLWKD6i4bkopKM7G7joCmxHcNpMuI6Piyg7+3TQfk"
    "JOZ9WZATRCrDzC7Hy4eE6fPSFRfKFFworreQCeVjzyaDcjR+j5FlHvqxp9CyYZkgp2FxkN"
    "MwE+QU3XsS3nt2NB/eaPwe4W0K2k2Wq6v/vt9sv10Zrm5uv/w1Gp426qbiJFf7o8R0ThA1"
    "FLVXR4Cqw6TAKXEXkfFWpVpD0Gew5ZhEilFfU+xxnsdtNzLQR3R9MCFeHwjXxvsPFSOEG6"
    "iXY3u5Doti9NcU3QtTrR9f9nNTbKJc5/yvFoFFxtUEWQroKadrH9QboP3l9vvlzRX4enf1"
    "6frbdeidWzkfxEmhw6xq39xdXdzo4jcv0QvEFGrMtNznsXxiQw7pHjeQeJ0BmQ0kousDB9"
    "ncA9sXntc+8O3wgcRtVdnOa9e8phBbvosq5EFkKbu3uzQiPvG5UGHNi5HpgCCV17u4UU/S"
    "QZul1E7aEk7alBV1V0dtN8sx9dPO2uxkk/UqNmm1D4o95djsV1Wgii32dE6cMVmN06nebX"
    "rR+xtM8YKnbOGVkVPiNOpmJFcUUE7K5B+fFKcfn2Syjyf+M4dLspx0kqp7guALKCp9uEnc"
    "gI3MQwupWOwVQYtjsH/7gz76fcAx6IN/ec9M/XSxgcZTZP/5ezltc98h2B7xoMVvMMurSz"
    "wr3C4TZMrGX8vumu+Gw7dvz4aDt6fno5Ozs9H5YLV9Zk9t2kcvr//Kt9IES7IxpC6acnuE"
    "KQ9/mlJzoBoHWlLow4FY1gSmTGABv/cq6VdrMm1rUdnWQufYcSq5EJKUmssqczkyqFdgc4"
    "pU81llPhvEd3FessWGSLs1Sfe0zvoVI24Ie+TZi3I2lBRZ95CuX79fQVYU8l2sjOaQtlot"
    "hV4fBJIrtyUTiw3wgmJJamqlYs9wvLHpo6o7ToK6NZuOWJ0X0MMGCJ8CiLAWd7GOUH9RG1"
    "LES96vUGi81adD6hLtmRO8Hcv09MF/NzqbPvino7fs87k5PONThNvWS8YldmlaBEGkUor7"
    "imKPijteOMSVjaQOqfoAuU4fmGhByvG3aU3ed8yKwWJJSh0spvSrdbjMdtXk0y4mtiuGca"
    "157WWSrw/R0ELR1Wq/OaBBdYCcaJJV2YDiaBK4GqIDSdq0+vVBcSDJXttl7wXankVm2A69"
    "vzzjg/dXryK61W8KMTF1LPgsHVSSplPY7MS0pNPTt6MH/+zddACi/YJX3KoU512/4c8llh"
    "T20fg9qiurdbadjkZKl0wdHs8hncsAnSFUOZO5ItzD0ahMnu1oVJxoy8+lshAdzPbTR8SE"
    "MTxDVCojLo+2ltVFodDA+tdxAzrQkCvrHyfZX5jISHLxXhBRtz/W0BfM2dMA6AESqj77r/"
    "HmMK06Pwtxw2ISo9njyk2mUwsHwYltXLt1HmIh9F0yLYn26Uwgq1KPOU3bGvP9i+Q009Hx"
    "U163Y8KkWmgXyAQrohRzJ4yqqVc3Eg8kNqtf+UXEviR6hFIPTqdggRYT5AJekA284lrIZP"
    "Lgnw9OjAf/BMETpp28haPX7wVFoChiCngcJ0UmeMVnx19c30L0aGGCuzd8qbz++9Wbd6+P"
    "0nvfAX6+/ES9vL29SczRy+t0HZHvny+v2PYgJuc6OT0nNhNRyhOjkEOMHHm+UODJ0CkbHN"
    "v7FtwqBQZ03aDhrLhr/ukZLJHL2CyKLQNs/wwYAygvJo09gGyTAsTzskH4uJGkBF6tuXc8"
    "yJk9e/rNfdjSS9l74zLlbnZfyaxENXcXXXWznXUk2ziboOO4hEd+dreLeL2AaZzkGn0z3c"
    "/cFS/DYJvZDZl1FSrxfOzHDUx33wIDtO4Qe/5ScY8tRswNHnLPgLVyO4xexwVyd65CfRFc"
    "6zO/VFcnWAiXb2vApACrQToN0SopnLYRLAvBp11R+sZNCjf8Ql1dsjz4iLiWooHacxhQQj"
    "3MiQZKq4/FQUFR9yyxLIih24KDenFb2IN/PpkMHvzRdDR6L0weQGzSwjbCLh1VjgOiMEEf"
    "0DlZ2sAjwmJiox9eUJYUEFscidsZskaXff6wDnRSK9CJc3i84nAW4OLK1FlKXaNaukZ1+D"
    "bJ4B4j0YBLA659uZVY0ToPnygoLtlXME6j6yrmtRXUlSt15cqDL1D1Va4s07SgsUaDbUU3"
    "sUyqVBE03iIuR3dLdZArVt3iXevKam5no9E7pjrBweA9gKv47p/oqj3HlLhhLMRyznQqm0"
    "yI+cyjHKYuQmH3H4rNMGACmWBOfJfm6WpN/pTWztTSztTvFnQgebQRXcwlC0yZhD/JiWDe"
    "Ug8sSdoe5aAnlghhqQkXErCEFHiERzcDh+2ixAZL4vOvNl2W7QbfJVXCJHaVMh8xMh0Mqj"
    "J/tUXgZbBZ665adz34q9T2rgurmMAcBSseL7ih90IUnVhKtSrGV6sqaqkq6veNbRLchrvG"
    "Vqs018IKcy9SNJHnrJY4W8DWJcRcO8hxqm9oExonUrpJaG9OlsAi9ixpPZhDEwTPsLOloI"
    "4WokvszXFe+4JNmX5romqZfntiQGh0Ao/I8frC6htkfTCGQC9MoApbwuzEhxqz5kzkQWzJ"
    "iAlrCoWru1SUE5ppvs3dT5KO7xiJLo2n3d7adKAU2M26vWe5zeIb83ortlSUdnrHlkiV7D"
    "Gf4MKBjFG9HHvM6lx/kz3GRVPkutAaG/Hh2i7TpqW0v8Eu08FKhtTyZ0CUhsA2+H53EwSm"
    "czXk0811OXG38T4a2JOrp7ci6KA9rP5KY2w3cj1apatTnFDbT5S2n/CSHhVYHCPTDFaawR"
    "7OTXHb0PgmIth/u5sK29QfD70J8W120/SB78m/TV2yGNvevA+myP6diUEPPX6b8bMGJ+An"
    "BkeD4UPv99//3Nl800gLHL6+G0x6zWFfocSWoFG32KO4RW44A4FojFywgM9gzkOiXlGETH"
    "bJ1yWljJoNEZSJD4gh6uQEqBUHBSapFDaj8SLJZ4PJgz96a/C/Z4Nz3lDm/Iz9PT85/xn8"
    "YWH78c+gNphjQYNJgJOgSJR4RsBP7/y+NBJbaEGRtDWWDehM0ynMPWXjOnWA14uQJnQDoM"
    "6yOWMqLja2xcK5fTrftdTEVz+oud5Ofm8uMhEZ/naE6C68TFdhKpByq0D0iY3vKkwu+icy"
    "aihjeRddp7VyzTaclnVMKD7yyvbc5y7Np0YdJWGAyj2c9fJ8JbHT/U3uklWrLy8cuTU58I"
    "Kpj+4jEx14qAyc8coo67S9IG6Db1X8NDseOmF4RRXIh7OHARTNFsj2ssmA9V46x3PzW6IP"
    "HH/k37Uz55D5gDCnVMgGpwLcc5mQvbkU6vfYHK6xpHJId7GzpGoglw7q2K21ZJNb6q/Ess"
    "jyu5O3n67ObdxMV7EHUzF87Dtlt9Qgv92D9PE929gsi+1oobXWBFMXI9sEyzkBc0iBTTww"
    "If5s7oEgsBMMT4KU98icOzx58EfGQHSv5p2sR8fno5za9Hv7VR1Codauqw2I25ax1lqWdK"
    "L3C+NvXm2HDdHna5IueF6aDsuJap2W9W5F47uA7b69WivZSWrLT1HVo6+0fvOX8C9kBeos"
    "S7L8uLXRPWF/Suo1u9jUD8qMslpNahqW0Gp20lSEGydHS4ncOyU0FCcaulU5YWwWVjdApi"
    "mrG48pCQ1uPzPF4Y3r2zYOE+gou7OAjO14/gJRgHMMfjVfO9/iF4sDD6+orX4H1T8iLkgI"
    "LjGSDlr/3pVp8fquuMXrO93i9WWqAFNsYzqvxOcUqVb1VOZztIdJGvOTVNqYX8KYHxMWdj"
    "Xmxy7VMpBLG/OTE0zWmB/XNAzs4N1bPHIB+C66VoeAbzSUIAlagVqRQLWkfjF2E0S15mD+"
    "1os0mJX/TQv1BxXqPej5Oa/vBpl+RbHHvh+xbiNStUkCsj7TSdcfeJUSiC1ksm+P2HH4Bw"
    "Y3ewF8p3TBmFQJjTKawHGxJnCc0QQW7JUhUpXM1hQK2zF7j9M+8NDCYVsCuxZxg7I9c2jb"
    "yAJR0u/h4e9ohZjecv7M25QH85/Dz8ssh29BFeTrN94rFD+vNaPmNCMd5tRQcp6Q4KRQjV"
    "FoRLfrmpEAu6Oe2bGcjn5Kx4xNqu3Vf3Qsngy0CsfirTyGOepo3Ju4XRNtQvWMW4mipOpw"
    "c8PiiloV1aroVlX0CdNVXVEJyTsk64e9aMXHIFtJFZVzil3qjcV9VnJMpKm1E0ppETzOsF"
    "ABl3n3Csg76Oat/01bLQFVHL0pWq3nqvySrbklF/GZplPZpkRcE7nvP9jkI4ha/rFvDICP"
    "aliUVuJdeZEtTqJwKeKe/cabA+obBqJ06lsgkp55YBY3rMal3AMULNbu74aQjfhaJepWm8"
    "9KIGtWQtbU8czFa4EriWmMQuOpA2BqtaCVCYDJW2+1gbJ8WH1lA6WuUlIttCi52GZBq5j9"
    "UbVcUCsyQGKbTOlVYHdod1kDWgFrSh6STqyJWaniKfn5i0AE/valIF4OQAkFrp5loIKDRr"
    "zUG5w00UtfqmFDOHRP3hrbX0x02OCBfTUhE8oDuyZQWe3sHR8drepDRxUz4oaUnygICzMH"
    "Bpb4JD1ERyhTqrtDNF7dphoVTfT112EiDsqrIVg4v1fj9ze9B5JzOyziDBy2NYAnjJb0ML"
    "N2iYw59Mb/cse+K+VyyhCqbBW/nU6xgaEFLgxRTR/81x13/XphWL10M9/RqMQUZ6OK2/ny"
    "c0WcQD8c7KIqfS6KrqH9Uir7pTClfiX3Y4JQe/iVZrL2v2j/SxuQ1XZtbdduA7w12rV1lf"
    "ICzOVSZssUPZI3E0rUPWoTqlJmwmhi5doIY7OuhIHQTYzfXlXVBtBjjznx+REeUhR2FObf"
    "hC3GtxBvvTTlvTf7ou88oCRWg9yANqAI8cugBU/pBHDCxuaUUm30p3T9VLVsli6CNC8KrN"
    "jgsKboYFhrA7XL5aOId40cVmz9bTxwWNeH0op7k4q7au9T66PQug7owfK4OwiscnYQxTBu"
    "zAySHy8ljaxkxFRr0ZUImTpMZndbkVU5sXsdRJlrEkjEWJYyCiwbiRvSGvYBNexHJJXkFg"
    "7vXDTK+aCE3nc+KNT7+KmkmPXIHksK2XC8ymaL3oSHRTwHVrfFAlMamggPr2bDBb+18RTl"
    "yFuXeFa4TiTpuuTfezccvn17Nhy8PT0fnZydjc4Hq7Uje2rTInJ5/Ve+jiRYkVUrJpAief"
    "jjVArrFL31dH8vrMyO7xpzdu/ARh4PLOT2ZtuUi87aM4M4iFKWVKh8i5UYWwC/GQApgMBE"
    "Bl5AC4RcqLI8lbGzHhfbWY+zsYk84XpsExkGxGkUZkLFHfekzI57UrzjnmR2XARdGzGhOW"
    "cJ4obWfJATRJtsrOpsBD06J84bixhsjvM7C6OduXAuakMGj1Ru3m/gATeralu2tmXrILS6"
    "g9CUaL3VSWR1eF9HzdqqgazD+5SAt1R4X94CXKProPPwyjTb25t1+2LqIfcbtBD9xNTwXo"
    "6BOzWiv8nGDfnYMeWDx0Y0Whu527Rl9TcYuTlLJZXvGIm6xu7exbcP/8P+ff78yy8f33z4"
    "wv597IOUeljFADIsU9FtWFzRbZip6NZJczhfHx77AP3wkG32GdoLvlj1gbBJ8dYl6AePlp"
    "shXjfW8127HxoK2f94NvfK2gsbtp3zmrxSpsEVwR5r+LqIDabyVXwrmqeGZcxTw2Lz1DBj"
    "nsIeWmRB/o9vt18KFvdwfNpYgg0P/BtYmCpkHucWKGGuBPyueUi2gbgR6mdxscBkvpwTKx"
    "y1s22Ko5awpmT6YqdbYPeTZhJ+gXRf7PgzZfhU3Io8RbbHV0LyTegt59ALSiCEmgGgEJtg"
    "zuQiVIfFsJFu5Utoe3n1ezbknK8oFLaa96KtIXg5KP4/FLhVLeLzFj/RIxy+Futq4ZX37m"
    "VIVXbxBTtz8v2A9BGZYErkqrHu2bFHfM8gC6kNPEai8DuiTAx/MDXG8g3eMoQKo82wwDNs"
    "Q0Y2gRa3ffTBDE89UVmnD6CFHfishsB6wGCPvS5GQb839qbySjWw/I5wkGWISREueaqyTa"
    "QpVWbMihk85gAC6jvIfcKUsSl6CjBBbMNAbHNXml1Biue4KMOuWN7NECq8ptXivm1CqsWL"
    "BTIxg4fhyOs65bwwhKlL0C7QDXPIU2yYMPqmNI/VEYkX58EfDY/NB/90cjp68N8Nz07Ykc"
    "k7yDhCklrJTxSYpHTkzqYX4fb2JsG5y+s0a75/vrxim49gIxuEvYK3hT0LXOegl93+k1Rd"
    "eE/2UcNtLBmTHKepBeNOxyVTpl8aSBbjJFXXUD4+LQMzG7VBRs0ArYOlKu22bQuW8ohvzC"
    "uxOUmp2aw0m9mliPVUic8pUl1lUWU+c82OTqEofjM2fVSB3wWXaA3fEw8Agmrub3wHvGIC"
    "+6mJHvzzyWT6GrAn291j0LbpsTJVTJ7lIg2zhApbOQ4WxQkpxTMbIUlsk1Qa2JdX9KG3nB"
    "MwxRYyAfYCrzNYzpEdHps8CwuDCbH1DP5JJlKGudqYECT0SHEgTqKjk7dHJ6/CC3YM7ryN"
    "rtMyeMtGdsbn1csuCdHIylFr+YgC+aMGZlzMkEJreO2TPCtzlQA4lCU0ulvRTUpd1Uvroi"
    "dkezuW1eUh3ldP5fBuy5qdmJfOnHikBpC+8ut0CaQmkwzWsyonvyAx5cqlFqDVcJ1b0CaB"
    "sw+KcwugIesVXFMoHdwu5J8+4xW0g87qfSAWoT6YWnDWB8H634/iHnho+wKXjnloOEJo6p"
    "LFWDquPUnVPX9t/UHtHpFHOU6jMd6OMVsvSI7qtXGBIXl9+9RaXyLd5/0HbH5kywiXlsPP"
    "9JmGyQ/SVUXOy1QVOS+uKnKejf2UD5Dafwly2VwAZQOj+D6bBbs4SyYav1OWTDXIP0x9O/"
    "CRTHxsedimR/xnPx6AFY3kw8h7vrQnuwUuLJHZKlnZhe7kW1GNm41XyKC1mI8y+estg7l8"
    "jQxa1YjUtPIfWEsKlP+VKaWc8u+shtfedTuYHrEYPd1p+5AmAckeubt0xlXtnU9K46NShR"
    "RHGyopjrKlFA8WwLovxehD2GHn4/sPC0Qpb/2MRSKQ71gEmsDEM0RDMVMHuir9Omi5UcuN"
    "Wm58WXLjTVB/9eoHXDgC34zwmBqxUYK0wgK1KDZYO4/a9MZvkhQ99CNn09xgOg/HKy2/BI"
    "VgbH8xQS4VTiMbUQBtE/DHpqIut+NUK28xGpQRYNioYolykBFgAoFKhg9rCoWLg9E5HI5O"
    "eXV6UWEkRB1Ec+jwlUXY74T+8LK4rylUfgMqakv1Z1MGSo+8mqQ6wALHoJoUwAuHuJUmdA"
    "N1KWaS83lFoLAfVARIsp9EVhAjCXDQaDnkgRpLycxnmrIM8isClZHnME+I9xMFwcIXlpYQ"
    "8AuOVAG/gSbC2gDwEgwAvmNWZHOSUrNZOTZnrBKHUZ2v7Qn5UdixMHa2v0llxnzcGK0Gan"
    "V5b/Js03Wc99+tXrWVpmkRlr1N+Am5z7L+lTSdwnqxEF6DacFLDSHTdxAIb1s+2q9cuN+m"
    "eL+MPcKBz9zRk4W/OAwqRrL/SKiKPODruaiF7RFgYupAz5gDOGNIAzzlioaN2IziLa3KcW"
    "bf8VE8iNWXUjrWFHuMDHSQbUbVtCQ4FJL1gUlsdsUp5OHgiqjZnocWTl7KUHGKeIxkf76o"
    "gdL7bGxftSCTu82xb3s4Z3fdosOlifcj39exE0CwJO4jW2PI0qZCqxZSIxCPwr+XbG7bdv"
    "FfK/Mvjs1TbGNarW5VirQ1dW1eJJ8tSL0xcl25DJIklcomUvTDQOIL4LfXD2XGVQH3wzq7"
    "FDGrXBgGovSGzHo5VpX1yf7GSFbXmDMFbwzF8LEVjt9mW+nd2rw3LTTBK+KyD0+I1xdHP7"
    "jPpg+CDgivuYuSCZnAga63+oxcSmymn4U/fJTmYr1X1pYetSw9auee7BPpLm1GTP+dTsfi"
    "m8RmlKRS2YrXe2R7EW9Cjz3RiTtstxNNvMO7SYO1Ty6KM0HTlO5chzZnE96phQdLcmte0F"
    "eH7VOA+B63TVLA7pH6fDrvcYmLW/VcqdiAaLzKE16ZSJfOVmHgEk4fUMSFlX5GzFm62GM/"
    "wSRd3mOQz+9KC039JronnJPFW8yMcLjSnIAO7kdBL+yDhasgXSY9vTg7PZOcPoEUS1mgVw"
    "RKQ+0KiOfECizQLjKQ7fH/RTuxPoDmApc0zTXfGiq/PMCmnlAdKg+Q8oaNRmW8YaNRsTeM"
    "n8vtPycntCSJFC5cejCbfyBVS4EaJ9GQbs3nEXBl4dV1BJNpPPFZlcjjYTcAvny/uenlLQ"
    "d14CpMWXfr63UT3+RSWIDwIQ2TEQcKjZMxFpU2UMamiQ4Aa9WK2t9gFlS/i7xQ2CSlLUHD"
    "cxkCtU4BvYLbHnL0ik3xR25ucIWa0UfhWiHcAlS2ye++w4zaUYDsQBbwJkqQdTquq2qgaR"
    "mL3YY6HtkyHiYysFkp/iBJqcMPVPb4sB0Ns8tV4HKSUnNZZS7rmLEXweZo4ZXtfZWh08aj"
    "HPegqq7ZVqMamgFk2y6lyTS2282dwWSswS73dXWhlgFc1iKXeG23t6RZTcY92pLbCm36xd"
    "2O7npz0qb6behmNvLqTX+4yWvHdjaJyNVuAN5oN5uLwOr1mQeL9PKM7fHz/TK29sVqqDax"
    "t2kX728wsS94xzQZ0++KoBWm3z8eeha2H+kDf+qjoyM2uR56NvFQ8ogHZ+sDfwJsUrB6zv"
    "aYiNUKQqnALeEb5p4RUUSuimOkgVBDpUPTtXGjX7G6jc0TnasUt4kTajulyjxmYgpxJ0yA"
    "lWsvnqTStoAcO4usSVCbAjeAybNI5OCMUejpmYNouEbLztI0mZ6sW62AfCZqG+B2U0rsjS"
    "3RlDrcgTSwJdpSJ3fr7eBqw992UCUaqK/WTI3qNlTT24tKXQxCY+AX4m2yFYrT/TKmQjsa"
    "qS2Fbdrp+xsshfnNC4rDEtvQvEDZoEReANq1YU51rktCLATtgrkcI0vhPmF0TQEfTXMJU1"
    "90p0AYY8M6Li6CxjyoNh5WdNnZAHt5e3uT4M7ldRr+758vr+5eHQtWsUE4WJBzyqbpsKcX"
    "YTXyGXskA0gSNFpt1OFOOiRHaVFcMiQneL21hrNVGY8vgwqqN/cwvyba+my/jHLjwXLV0K"
    "R0m99iry//Ad3T96DKTsDisv71cHgnVJ2mHepaFNCigEJ7VglR4DB71lVQvixvw4pOldqt"
    "UGzw1vqdF3ZUNg0QO6rAA159vf568/o9MIjP0OWVNZdz6IGlKNMTqO5caeerabZwZz2X1N"
    "ZAtTZIvYrXh3LMxCTehiykxeGYa4o2xGPWYVBqJKQyz3+1oaxajT1vDj2DGy5BqsMnO2Mk"
    "zYibh5GLQok0Ryxay6rbpaK1gKxdlC3bLouFEtlS0zsVmd5TxwN+jyAIjHeRwZutV2rL1E"
    "Bx6ShGvyzaKwKV4WaKB2YPZAYpCEwVIe4CWrxc0KIK7A3kI5imK9n8OEaiMPQVRZZGipAu"
    "0GKCXPYjT3LtJ9N0CsPde/BPpsfwwR+djM6BuOOfxWXec5c8gCB4liqTvv6yuxQZbPGTkt"
    "FjJHus0hQsF729zPz6YTYsSOl4AuWq7iWpVJ7yUdDJe3Dxl8u/fPrLL1Vmd5mNtHgfzWyj"
    "AXqU7ew5m+mvFoEFMmGKLgX7lBOqCPwS4dmc3Q4Qdw4GR0fHg0E5NmzA/Zfb75c3V+Dr3d"
    "Wn62/XoX1gpTCJk/zQOrrn7uriJpcRU6YJEFfOBJMm3L8lpvdh6tuiwwGY+NjysE2P+M9+"
    "lFyJYozi1lfBo58owLbje4q2ZQ3QrxCTFaPTaXyq2RqSwpg74wH+NhsjpTZnCRsKzaqjnc"
    "39HIUKHnv1MBW9y3hToeAhAH8I8AoCxxINk83gBV3gmQuDdniEWMCANpfduJLoMgmOImv6"
    "xkVT5CLbQK+zrpk9/WbDRnPRB6VKWGaCUK8BKq8BOvb2RbDZd8yKbE5SajYrx2YJ70G8z1"
    "e8un8tBaTKN4BQdAZkq0hlhCUm1xamkEohlioR1WHA8hOZNVhJsESyTi0wRamEXUSJV5Oq"
    "BaQwIrmLGImqXLuBFLh7b9iFugRS865zgVih+zzCs6wLfWxFBNqPvq/J07Qffc7ktgyqxQ"
    "6AcLjK8VA9Gy37gU8XvKLcpZ509L4Ou6qq4e4StzSmCEkV+UtSqeyHiWf4/kRDtiznyAYW"
    "pB7gK0q1KIf63e3BvVRQSBOEWh9VTh/VKSmNBzOHb7gcrimqepBt/W6tU33US/XJzvQsE2"
    "5tdE/Yn5Is+BS7UKvmeFkWpN7uEkzYSeH5xuMmbxB8Qr0chSd2tl9G4Qla11orgq3ZVA/+"
    "2bvJ5ME/H5wYD/4JgicP/ulbOHrPhB0CLDT1+uKTR8gjIEwi5V3Ql2DhG/Og/nTWZVfPJb"
    "XCpZbC1fW8H16HPXr1RaF1m1ddZyCzCUqFmSd2FFIUfTs6OvqznB6gE4Z25FAQYi6izYkL"
    "DAtX0b90/pDWuEppXFOXLMaQV0OR0w4ydFrzytG8GPAVsE1RaWS3617r6ViD/tX1Zl2Zd3"
    "d74aVoSmp0t6KbentVqmRxgVxszHt5lZeCM/2N2td6jPYwtWnd7G9QeLjcj+V6GMVIVBak"
    "KybzNJLGxl8qCYTD4R1E93gwKOOjGwyKnXT8XLpYh+3l7k2btPYVSRvU9jpUk9q074OWH/"
    "jz/wF5jRV5"
)
