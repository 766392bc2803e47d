from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "wecom_kf_cursor" (
    "open_kfid" VARCHAR(64) NOT NULL PRIMARY KEY,
    "cursor" VARCHAR(256) NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON COLUMN "wecom_kf_cursor"."cursor" IS 'next_cursor of the last page handled';
        CREATE TABLE IF NOT EXISTS "report_message_day" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "day" DATE NOT NULL,
    "channel" VARCHAR(16) NOT NULL,
    "author" VARCHAR(32) NOT NULL,
    "count" INT NOT NULL,
    CONSTRAINT "uid_report_mess_day_5177a9" UNIQUE ("day", "channel", "author")
);
CREATE INDEX IF NOT EXISTS "idx_report_mess_day_eaecf6" ON "report_message_day" ("day");
COMMENT ON COLUMN "report_message_day"."author" IS 'customer, bot, system, agent:<id>';
        CREATE TABLE IF NOT EXISTS "report_sealed_day" (
    "day" DATE NOT NULL PRIMARY KEY,
    "sealed_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON COLUMN "report_sealed_day"."day" IS 'shop-local day whose message counts are kept';
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
        CREATE TABLE IF NOT EXISTS "complaint" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "number" VARCHAR(24) NOT NULL UNIQUE,
    "channel" VARCHAR(16) NOT NULL,
    "contact" VARCHAR(64),
    "content" TEXT NOT NULL,
    "desired_outcome" VARCHAR(200),
    "category" VARCHAR(16) NOT NULL,
    "cause" TEXT,
    "solution" TEXT,
    "matter" VARCHAR(64) NOT NULL,
    "topic" VARCHAR(64),
    "severity" VARCHAR(8) NOT NULL,
    "major_reasons" JSONB NOT NULL,
    "serious" BOOL NOT NULL,
    "step" VARCHAR(16) NOT NULL,
    "step_due_at" TIMESTAMPTZ,
    "escalated_to" VARCHAR(16),
    "reply_by" TIMESTAMPTZ NOT NULL,
    "close_reason" TEXT,
    "source_key" VARCHAR(160) UNIQUE,
    "open_key" VARCHAR(120) UNIQUE,
    "created_at" TIMESTAMPTZ NOT NULL,
    "resolved_at" TIMESTAMPTZ,
    "closed_at" TIMESTAMPTZ,
    "accused_agent_id" INT REFERENCES "agent" ("id") ON DELETE SET NULL,
    "conversation_id" INT REFERENCES "conversation" ("id") ON DELETE SET NULL,
    "customer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE CASCADE,
    "order_id" INT REFERENCES "shop_order" ("id") ON DELETE SET NULL,
    "owner_id" INT REFERENCES "agent" ("id") ON DELETE SET NULL
);
COMMENT ON COLUMN "complaint"."number" IS 'TS<YYYYMMDD><NNNN>, shop-local date';
COMMENT ON COLUMN "complaint"."contact" IS 'phone or how to reach the customer';
COMMENT ON COLUMN "complaint"."content" IS 'what happened, in the customer''s words';
COMMENT ON COLUMN "complaint"."desired_outcome" IS '想要得到的解决结果';
COMMENT ON COLUMN "complaint"."category" IS 'product, service, logistics, price, other';
COMMENT ON COLUMN "complaint"."cause" IS 'found during investigation';
COMMENT ON COLUMN "complaint"."solution" IS 'what the supervisor approved';
COMMENT ON COLUMN "complaint"."matter" IS 'what it is about: the order number, else the category';
COMMENT ON COLUMN "complaint"."topic" IS 'what several customers share: sku:<product>';
COMMENT ON COLUMN "complaint"."severity" IS 'normal, major';
COMMENT ON COLUMN "complaint"."major_reasons" IS 'media, platform, repeat, protest, return, collective, staff';
COMMENT ON COLUMN "complaint"."serious" IS 'the accused agent''s third service complaint in a month';
COMMENT ON COLUMN "complaint"."escalated_to" IS 'role the overdue step went up to';
COMMENT ON COLUMN "complaint"."reply_by" IS 'when the customer was promised to hear back';
COMMENT ON COLUMN "complaint"."resolved_at" IS 'the customer accepted the solution';
        CREATE TABLE IF NOT EXISTS "complaint_step" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "action" VARCHAR(16) NOT NULL,
    "from_step" VARCHAR(16),
    "to_step" VARCHAR(16),
    "actor" VARCHAR(48) NOT NULL,
    "note" TEXT NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    "complaint_id" INT NOT NULL REFERENCES "complaint" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "complaint_step"."actor" IS 'customer:<id>, agent:<id>, system';
        CREATE TABLE IF NOT EXISTS "complaint_task" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(16) NOT NULL,
    "due_at" TIMESTAMPTZ NOT NULL,
    "done_at" TIMESTAMPTZ,
    "note" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "complaint_id" INT NOT NULL REFERENCES "complaint" ("id") ON DELETE CASCADE,
    "done_by_id" INT REFERENCES "agent" ("id") ON DELETE SET NULL,
    CONSTRAINT "uid_complaint_t_complai_5eda61" UNIQUE ("complaint_id", "kind")
);
COMMENT ON COLUMN "complaint_task"."kind" IS 'legal, feedback';
COMMENT ON TABLE "complaint_task" IS 'Work a complaint owes by a deadline: the legal warning (法务预警报备) and the result feedback.';
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
        CREATE TABLE IF NOT EXISTS "callback_task" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "state" VARCHAR(12) NOT NULL,
    "way" VARCHAR(8),
    "open_key" INT UNIQUE,
    "start_at" TIMESTAMPTZ NOT NULL,
    "started_at" TIMESTAMPTZ,
    "attempts" INT NOT NULL,
    "rating" VARCHAR(12),
    "score" INT,
    "comment" TEXT NOT NULL,
    "feedback" TEXT NOT NULL,
    "follow_up" VARCHAR(16),
    "declined" BOOL NOT NULL,
    "done_at" TIMESTAMPTZ,
    "done_by" VARCHAR(32),
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "customer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE CASCADE,
    "owner_id" INT REFERENCES "agent" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_callback_ta_start_a_a1e362" ON "callback_task" ("start_at");
COMMENT ON COLUMN "callback_task"."way" IS 'chat or phone, once decided';
COMMENT ON COLUMN "callback_task"."open_key" IS 'the customer id while the task is open';
COMMENT ON COLUMN "callback_task"."start_at" IS 'next attempt, outside rest hours';
COMMENT ON COLUMN "callback_task"."attempts" IS 'phone calls that did not reach the customer';
COMMENT ON COLUMN "callback_task"."rating" IS 'satisfied, neutral, unsatisfied';
COMMENT ON COLUMN "callback_task"."score" IS '1-5 when the customer gave a number';
COMMENT ON COLUMN "callback_task"."comment" IS 'what the customer said with the rating';
COMMENT ON COLUMN "callback_task"."feedback" IS 'suggestion (satisfied) or what was wrong';
COMMENT ON COLUMN "callback_task"."follow_up" IS 'handoff when passed to a person';
COMMENT ON COLUMN "callback_task"."declined" IS 'reached, but did not want to answer';
COMMENT ON COLUMN "callback_task"."done_by" IS 'customer:chat or agent:<id>';
COMMENT ON COLUMN "callback_task"."owner_id" IS 'who calls: the customer''s last agent';
        CREATE TABLE IF NOT EXISTS "callback" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(12) NOT NULL,
    "source_key" VARCHAR(80) NOT NULL UNIQUE,
    "subject" VARCHAR(40) NOT NULL,
    "offset_days" INT,
    "due_at" TIMESTAMPTZ NOT NULL,
    "deadline_at" TIMESTAMPTZ NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "customer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE CASCADE,
    "task_id" INT REFERENCES "callback_task" ("id") ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS "idx_callback_due_at_359d82" ON "callback" ("due_at");
COMMENT ON COLUMN "callback"."kind" IS 'buyer, prospect, after_sales, complaint';
COMMENT ON COLUMN "callback"."source_key" IS 'what created it, e.g. order:<id>:30, prospect:<customer id>:3, case:<id>, complaint:<number>';
COMMENT ON COLUMN "callback"."subject" IS 'order, case or complaint number';
COMMENT ON COLUMN "callback"."offset_days" IS 'buyer/prospect: days after the purchase or contact';
COMMENT ON COLUMN "callback"."due_at" IS 'when it is due, outside rest hours';
COMMENT ON COLUMN "callback"."deadline_at" IS 'done by then counts as on time';
        ALTER TABLE "agent" ADD "active" BOOL NOT NULL DEFAULT True;
        ALTER TABLE "agent" ADD "session_epoch" INT NOT NULL DEFAULT 0;
        COMMENT ON COLUMN agent."active" IS 'False once the staff member left (离职交接): the login is refused (docs/rules.md R-ARCHIVE-9).';
COMMENT ON COLUMN agent."session_epoch" IS 'Sessions carry the epoch they were opened in; raising it ends every session at once (R-ARCHIVE-10).';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "agent" DROP COLUMN "active";
        ALTER TABLE "agent" DROP COLUMN "session_epoch";
        DROP TABLE IF EXISTS "complaint_task";
        DROP TABLE IF EXISTS "archive_staff_leave";
        DROP TABLE IF EXISTS "archive_merge";
        DROP TABLE IF EXISTS "wecom_kf_cursor";
        DROP TABLE IF EXISTS "archive_person";
        DROP TABLE IF EXISTS "callback";
        DROP TABLE IF EXISTS "report_message_day";
        DROP TABLE IF EXISTS "callback_task";
        DROP TABLE IF EXISTS "archive_person_link";
        DROP TABLE IF EXISTS "complaint_step";
        DROP TABLE IF EXISTS "archive_tag";
        DROP TABLE IF EXISTS "archive_access_log";
        DROP TABLE IF EXISTS "archive_access_request";
        DROP TABLE IF EXISTS "complaint";
        DROP TABLE IF EXISTS "archive_note";
        DROP TABLE IF EXISTS "report_sealed_day";
        DROP TABLE IF EXISTS "archive_erasure";"""


MODELS_STATE = (
    "eJztfWtz2zi27V9B6UsnVYpHdizbcadS5aTdMznjxLmJM3PuaXepIBKU0KYIDkFa8e3T//"
    "0C4EN8SgRFSqCM/pBOJGyKXBsE9l7Yjz8HC2Iimx59CKhPFsgbXII/Bw5cIPaXwndDMICu"
    "u/qGf+DDqS0GG+lRU+p70PDZ5xa0KWIfmYgaHnZ9TBz2qRPYNv+QGGwgdmarjwIH/ydAE5"
    "/MkD8X9/PbbwNjDh0H2fzS6IePPAfaE2wOfv+dfYAdE/1AlA/k/3QfJhZGtpl5EDaWfSU+"
    "n/hPrvjso+P/Kgby+5hODGIHC2c12H3y58RJRmPH55/OkIM86CN+ed8L+IPx+44wiJ81fI"
    "bVkPAWUzImsmBg+ykgppPVZ4PJ5PPt3eTb9d1kMpCAziAOh53dKhVPP+O38Ork+PT89OL1"
    "2ekFGyJuM/nk/K/wp1fAhIICns93g7/E99CH4QiB8QrUlFKyyH6YQ68c2pRIDl9243l8Yz"
    "TXARx/sEJ4Nd92AfEC/pjYyJn5c/bP47M1eP7r6uuHf1x9fXF89pL/IGGvR/jefI6+ORFf"
    "cchXEKcnuwTMOTGVoR4QFznYBMQDSzR9xSaIDx4xxT77ILx7aS2cXNRRw8lFtR74d1lFiP"
    "9LaCAe3wj6aJFQc5KfndZA9+y0Elz+VRZblyEkBW4icHjovj6pge7rk0p0+VdZdDGdPGK3"
    "CO97QmwEnYotMBHKQTxlUl0tHsknHaC8BtX3t7c3/MoLSv9jiw8+3uXg/f7p/TVbMgTqbB"
    "D2UXqHXGFNXIbIhAS+JNwZObURH9wHb0aj0X1wMYUnDG0CFtB7QD4DH7gBnSNab83ejUIM"
    "D3HIJrBEI7+wb3y8QBWWSkYypxMzEj2K/6LOftrGG3H38dP1t7urT18yWvjl6u6af3MiPn"
    "3Kffoib9YkFwH//nj3D8D/Cf7n9vO1gJNQf+aJX1yNu/ufAb8nGPhk4pDlBJppTOKP448y"
    "arYh9SfYmZLAaaLrEvEWFL6bfUbYTxT8G7Ht0v+JgtMLMAcecu0nsGS/xAB7nrMBMu34pW"
    "Zzpd9XkNvsAu5P7cs5ARR5j8gEzE1eAH7z4MV9cIr44vxmdAzvg7Hx+vg+ODsfmezvJ/CY"
    "//mafTtGb8Yva5rWLfiQ3Cu3HlIuJP9gCo2HJfTMSeab1MpNnEfkUcifl5Zsp5H4r//8im"
    "wxqERhMX2RulR/F+rVp9Eky1oenskecTucbvk1lJnh7eLjw9m2syiit+7g7FAnUWi/TTxk"
    "IMwWlu3w+sIu9hUZ2MWo1rrZS8Q8ZCHPY7c1WUCzxIeVAexrdK1Dx2piMEC2fBljrD6w8Q"
    "ePl4f+QEYL++DX+DoHusanAFu2McX4yGvH954OdYYZkKItUbqyfOR9gzaiH9jFlJlYwjy2"
    "sM2sY+z/LC4AlnPkRJ9Nn7jRDEyImZv0B5lK+UgbMCUL1w5FtjRao+sc7uSzbe4EbItTdJ"
    "lDh2niQ9oWVnfsUoeEF/cnyQmp8jCzX+X3C2ROpk/VuN466I6wP1q13/q4u0LPmDOvYGJj"
    "56ENuL4wf5U4N9HVDgQwPu8WJ4vcTFxAB87EXfLLceEyZqIs8CLHXKwJvsiPbDUAQ4dZ6D"
    "ALdc5I2w+zeEAlO0A1vNHwdqDtYu4O3kYz4N3l24AiHknxribfm0N6VAvq0RqsR3mwqQ/9"
    "oMSSqcZ7JbG72TyYEn/Q0+nM7gqG2y9zhSENd4TasUNlwocXaNF+GEsEXKPT5rxsb44fn+"
    "Vxs+th4mG/ZM+oNHbSIo2OFRstYiPJbYNdOUBAnCVdgn99/EKBhT3qDzlb4oR/BwYJp9+u"
    "DKMV7OLumrxdGUH9aqn8akFK8cxppOWcqNazynoWa8lExKk0UHVRWmtbZW0vIeYBghOKHa"
    "PklHS9sgvCWtcq6zpwoPHAVuFGui4Ia12rrGtXcLgNFvCMoNaxyjq2oUu5UcXjIktYm//6"
    "dvu5KpwyJ5jXMzZ88L/AxrQz/2fw1gocEfIApgG22TZCj/jvvZNkdgbhQwB+qmwjH2D2d8"
    "MmxgMQD1nPHVozKTiImfkQ8wwvPl39d56C+HBz+z6vaH6B9zl3aU5sU+ybUfxVTU81L6au"
    "txrdKVggSpmCKOC3DLDDvFVMwRw6JnkMAxp376vyqOxGXkxGUKcdKL00Rh4nkgszz0kpHG"
    "S+4yOw1JFXFGsrB2xOancLl+LIFuLvi0AXUf6VeIhN03+iJwH2R3ZXsNwmLykS0DOQq47z"
    "2cceXCbn3PkJxjBgT47C3LMPV98+XP1yPShdIFqA92pWL4xasZWhLrS5RbEc2jp5I7ExUI"
    "RcJlLqU3iVA5rL2Wx24m+L0D8i8+ozu9ShwmQjy5+0M6Fu2KUOfFJRG07QY7mXKAPVNxte"
    "Px5wzsg+IoR7sivIRXJKBtvFr19JnF3qzawOsVukBrVd3igXvWdib5WpQUngGUiXO9JxeH"
    "t/b7sOXMrM+7ogZ4RUhpldjpc5isp8SFeGqVMYprouTCHkkT2bDMrx+B1G4Pnox45C8E7q"
    "BIOdVAeDnRSCweJ7z8J7xz4thzcev0N4u4J2HcN3/d9363nuhOC7uf3893h4nvzOxZMm+6"
    "PEdM4IdRTd2EYgL7PwfIt4i5jkVqkmGgwYbCXUUTXqK4kdzvM0xyUDfSw3BFPiD4E4Arp8"
    "2zCSuoO6Xo5ferBTjf5K4vDCedvHl/2chU1UGsTwq01gFQmdEcsBbXG5/kG9Btpfbr+/v7"
    "kGX75ef/j47WN0ipkc0ogvhQ+T1Oj6en11o4t0PcfTMuZQY+blPk3kE0BKRHe4gaTrochs"
    "ILHcELjI4SfVQ3FCPQSBEz2QuK0m23nrnpcFsR14qEG+SFHy8HaXTswnPhcarHkpMR04pf"
    "J6lyb1JA+yi5L6MLvGYXaORd32QPswy8YN84faxckme/raJWsfFqUr4eyTanXVjD2dE3dC"
    "knE6Jb5PL/pwDRUvdMoWXhk7JS2jbuZ2QwPltE6e9ml1mvZpIUt7GjxxuCTL3melDs8QfA"
    "bF7/c3iTvgyHy0kIpZTwR6HKv+25/0IRgCjsEQ/Md/Yu6nhw00sZDz1+/1vM1dh6r7xIc2"
    "v8Girt7jWeV2mRFTNk5ddtd8c3Ly+vX5yej12cX49Px8fDFKts/iV+v20fcf/8630oxKir"
    "G2HrI4H2HKw5+X1BpopoGeFERxIZalwJQJLOD33iRNbSWmuRaVuRY6x67b6AghK6m1rLKW"
    "Y0K9gZpzolrPKuvZIIGHy5JS1kTarUQOz+ts3zHiRNgDz/KU41ByYoeHdPv+fQJZVWh8tT"
    "NaItprtxT6QxBarpxLJjYb4IdFpdT0SsWe4foTM0BNd5yMdG82HbE6L6CPDRA9BRBhLd5i"
    "FaH+rDakWJe8r6rweJtPh9wl+jMneNso6+w+eDM+t+6Ds/Fr9vcL8+ScTxHOrdeMSzykaR"
    "EGkUo57onEDh13vHCJJxtJHUkNAfLcITDRgtTTb9eefOCaDYPFspI6WEzpV2t/FQBUs08P"
    "sQCAYhi3mv9fJ0l9H413FF2tdK6sirmyYbWJkqibpAxFddQNTIbogJs+7RJDUB1wIxsHsl"
    "UEyE6gHdhkhp3olJxnxnhO2Lpn/5SRiSlbrJ6kg2/ycgrTc8ybPDt7Pb4Pzt9YIxDvq7yC"
    "W6N4+PYJUo/YUtjH43fo1iXrbD8PZCldErZNzSGdywBdEFQ547sh3CfjcZ185PG4OiGZf5"
    "fL1nQx208fEDNa8QxRqczBMtlWVheFQijbX8cN6EJDrk1EWmR34TRjycV7QUQfiFSDdjBn"
    "TwOgD0jkIu6+ZqDrIVqerblmMUnJ7HDlJpZl4zCIs49rt87XrIT+kCg4G1J/wgyyJvW987"
    "K9OeZ4lppmPjp+LOteT5hVC50KmyARyil3yqS6enVj80Bis/qVX0TsS6LnM/WhZYEFWkyR"
    "B3iBP/CCeyHT6X1wMTo17oNTBE+Zd/Iajl9eConQUcQU8HhXikzwgs+Ov3mBjejRwgRfX/"
    "Gl8uO/rl+9eXmU3/v28PP1J+r729ubzBx9/zFfb+X7p/fXbHsQk3OVxF8Sw4oo5QlkyCVG"
    "iT1fafAU5JQNIh58C2+VAgN6XthAXNw1/9sTWCKPqVkU7wbY+RkwBVBenBz7ADkmBYjnr4"
    "PocWNLCbxYae94VDJ7dvSbuzhzqMWLp23KbRlfqexNNXcXXcW1n3VJ+ziboOt6hEfI7uNw"
    "qo+AaZxkz/AmcMb+X0Y9PfezvAq8yNJBJcdZGq0StCY+pA9tHRPfsWsdKGDQM+bMceP1es"
    "xtly/DYLblDZkdKlTi+diPG5hub5GGaH1F7PlrhWv3GDEvfMgdA9ZL6zR+HRfI27rJwFV4"
    "rU/8Uoc6wSK4AkcDJgVYC85ihFZNX7GPYNkIPm6L0jfO8N3wCx3qkuXDB8RJAw3URg/Rtj"
    "nl1YppGl1LKct0wBti8qekIVcdB/L8RAE/AQKrEBU1wxwz9FdJtGOeHqsOeoy7TYp1Vgzd"
    "FPw4SHP998HFdDq6D8bWeHwpKF0grB7B/bJLxxVEgShQMwR0zlxD4BOBuoN+RFAD4oR6SJ"
    "GfRVJ5lz+sAznVCuTkGp4kGi4CXN2hoCipexVI9yqI3iYZ3FMiGnBpwHWsSiNV9C6CQTSW"
    "kOzDm5bR9XXL2vDqCsa6gvHeF6j2KhjXaV7TWWPevqKbWSZVqgydbqla4rvlOq5Wu27pLq"
    "91Pbfz8fgNc53gaHQJYNrtjds0WcSLYr2Wc+ZTOWRKzCcexWV5CEVd4Cg2o4AwZII5CTxa"
    "5qt1+VPaO1PLO1O/a9ye7NFOfDGPLDBlFv60JENjQ13IrGh/nIOBWCLSVB1YQgp8wrM3gM"
    "t2UeKAJQn4Px26jJqmPStXwiROk3JPKTEd7K6yfjUj8DzUrH1X7bvu/VXqe/edJOa5xMFK"
    "x0Ov6cETR1/Xcq2q8dWuilquivr9w7sEt+Pu4c0qjvaw0uizNE3kNastzh6odQkx9w5KDt"
    "XXtItOCyndLHowJ0tgE2eWZQ/m0AThM2zNFLTRSnqJ/Tkua2OzLpN5JdQsk3lHCohIJ/CA"
    "XH8oWN8wq40pBPpRgmjUGmwrPbSYFWwiH2JbxkxYSShcvaqhndBJF2ERfiV58J0S0SVS9b"
    "G3pg6UArvbY+/4tHpHp96KLRW1D71TS6RKfMwHuHAhU9SghI9Jvhuu42M8ZCHPg/bESA/X"
    "vEyfltLhGl7mACu1UjuYAVH6Bjvg+9ebMDCduyEfbj7WM3c776eEfbl6oYnAAfJh7VdSZL"
    "uRx8sHyHf3Swtq/kRp/oSXLGqg4pSYVrDSCvZxac7gmgZoscDu25412Kb+vB9MSeCwm6b3"
    "fE/+zfLIYuL48yGwkPM7M4PuB/w2098aXIB/MToandwPfv/9r63pm05aofH13WDWa4n6Ki"
    "22jIy6xWzFLXLiDISmMfLAAj6BOQ+JekERMtklX9a0MlomIigzHxBD1C0JUKsOCsxKKUyj"
    "8SLw56PpfTB+bfA/z0cXvLHYxTn78+L04mfwp42dh7/C2oeuDQ1mAU7DInjiGQH/euv3pZ"
    "PYQhuKpK2JbEBnXk5h7Skb16kDvJ6FNaEbwR2smgtUcTXZlgrnDuh829odX4Kwp0Q/9b2+"
    "GEVM/G0J0dfoMocKU4WV2wSiD2z8ocLkoT+Q0UKZ3q/xdXpr12zCadnGhOIjrx3fezqk+d"
    "TpQUkUoHIHZ4Oys5LU18N1xyVJy0c/GrkxOfCKuY/eAzMdeKgMnPHKKKu0vTBug29V/Gv2"
    "eXQIwyuqQD6cPQygaLZAjl9MBmz30iUnN79l+oHyR/5dH+bsMx8QlpQKWXOoAHdcJmRnRw"
    "rtn9jsr8GwckgfYodh1UCuHdSxXYvhLrfUX4ltk+V3t2w/Tb5bu5kmsQeWGD4J3Lpbapjf"
    "zsvoXYp6c2xHi9haE1geRo4JeCm6OaTAIT6YkmA290EY2AlOTsOU95jOPTm9D8bGyOJko3"
    "XG/n58MS7pvbGzX9UhFGrtuppA3LSM9ZZZ0onez0y/ZbUd1kSfr0QO4eSl67CcuNZp3dOt"
    "ePwhYLvrU63EdpLa8nNS7fgrvd/8Jc4XigZ1USVFfdw66I6wP2r6Ndtw6ntVRl2vJjcNa3"
    "g1W3kq4hinxEuJj3dqeChuPHSjc8LULFg3QKwc68ZjSiLC7WfmOLzyAsfBUQIdZXcWirEd"
    "L1ggCnAJ4dfytcsZv1QceHRFzfrt1f+ItSBhuKREDpD9e1OnhfWb6hbWb3QL6+fpAljYwX"
    "TeSM85Ue3qqazneA+TJPOzUprMr0Hmp4yFbcn81KV6BnJtMj87wWTJ/LSnYWAXb9/ClhvA"
    "X+NrHRDwnYYSZEGrcCsyqNb0LyZeRqjVHMzfBrEHk5y/aaN+r0a9D/2g5PVdY9MnEjvs+5"
    "HqNiJVmyQUGzKfdPUXXqUEYhuZ7F8P2HX5Xxjc7AUI3NoFY3IlNOp4AsfVnsBxwRNYsFeG"
    "SFUyW0kozGMOHqwh8BFvZ+uzaxEvLNszh46DbBAn/e4f/gOtEDNYzp8A9qP5z+HnZZajt6"
    "AJ8u2T9wrFz2vPqDvPSIc5dZScJyw4KVRTEhrRzb5mbMBu6WceWE7HMOdjpibV5uo/OhZP"
    "BlqFY/GSE8MSdzR9mrjZE+3C9UyzRHFSdbS5YXFF7YpqV3SjK/qIaVJXVMLyjsSGUS9a8d"
    "cwW0kVl9PCHvUn4j4bHUzkpfUhlNImeFphkQMu8+5ViB/gMW/7b1qyBDQ56M3Jaj9X5Zds"
    "pS25iM+8nMqcEvFM5F2+dcg7ELf8Y/9iALxTg1FKzLv6JltaROFSxAPnlT8HNDAMRKkV2C"
    "C2nnlgFidW01buHgoW6+PvjpCN9dok6lbTZ+vnLPOBJedrIqHjmKtmqiSmOSmNqw6AaZVB"
    "qxMAU7beaoKyflh9Y4JSVylpFlqU3cSKoDXM/mhaLqgXGSCpzbv2KrA9tNusAb2ANbd/Sy"
    "fWpFiqdEp++SIQg795KUiXA1DCgWtnGWhwQCNe6jWHNPFLX6thQzR0R6c1TrCY6rDBPZ/V"
    "REqoD+xKQGW3c3B8dJTUh44rZqSJlJ8oiAozhwRLepLuoyOUKdXdIR6vblONhhR9+3WYiI"
    "vKaghWzu9k/O6m90hybkdFnIHLtgbwiNGS7mfWLpExh/7kP94k8KSOnAqCKrPit5aFDQxt"
    "cGWIavrg/3zlR79+FFYv3cx3PK4xxdmo6na+/LsqTaAfLvZQkz4XVdfQ51Iqn0thSoNGx4"
    "8ZQX3Cr7SS9fmLPn/pA7Ka19a8dh/gbZHX1lXKKzCXS5mtU/RIniaUqHvUJ1SlaMJ4YpVy"
    "hKlZV4Mg9DLjN1dVdQD02WNOA/4JDymKOgrzfwkuJrARb71k8d6bQ9F3HlCSqkFuQAdQhP"
    "hl0IKndAI4ZWNLSql2+lO6fqpanKWHIC2LAqsmHFYSBxjW2kHtcvko4m0jhxVbfzsPHNb1"
    "obTj3qXjrtr71PvovkMHdG953AcIrHI8iGIYd0aDlMdLSSMrGTHVW3QlQqb2k9ndV2RVTu"
    "xeBVGWUgKZGMtapMCyk7gh7WHv0cN+QFJJbtHwg4tGuRjV8PsuRpV+H/8qa2Y9sMeSQjYa"
    "rzJtMZjysIinkHVbLDClEUW4fzcbLvitTSxUYm+9x7PKdSIrd0jne29OTl6/Pj8ZvT67GJ"
    "+en48vRsnaUfxq3SLy/uPf+TqSUUXRrZhCiuThT0sp7FMMVtP9UrDMbuAZc3bvwEE+Dyzk"
    "fLNjykVn7VhBHEQpJhUq32IlpRbAbwZACiAwkYEX0AaRFposT3V41uNqnvW4GJvIE64nDp"
    "FRQFpGYSU03HFP6+y4p9U77mlhx0XQcxAzmkuWIE60loOcEVrHsaqzEQzonLivbGKwOc7v"
    "LIp25sa5qA0ZPlK9eb9GB5xW1Vy25rJ1EFrbQWhKtN46SGR1eN+B0tqqgazD+5SAt1Z4X9"
    "kC3OLRwcHDK9Nsb2fs9pXlI+8btBH9wNzwQQnBnRsxXMdxQz52QvngiRGP1iR3n7as4RqS"
    "m6tU0vlOiahLdg+uvr39v+y/T59++eXdq7ef2X/vhiDnHjYhQE7qVHQ7qa7odlKo6HaQdD"
    "hfHx6GAP3wkWMOGdoLvlgNgeCkeOsS9INHy80QrxvrB54zjIhC9n88m/t1+cKOuXNek1eK"
    "GkwEdljD10NsMJWv4tuQnjqpQ0+dVNNTJwV6CvtoUQT5v77dfq5Y3KPxebIEGz74X2Bjqh"
    "A9zhkoQVcCftc8JNtAnIT6WVwspMyXc2JHo7bmpjhqGTal0Bc73wJ7mKVJ+AXyfbHTz1TQ"
    "U3Ur8pzYDl8JyTdhsJxDPyyBEHkGgEJsgjmzi1AbjGEn3cqX0PHL6vesyTlPJBRmzQfx1h"
    "C+HBT/PxQeq9ok4C1+4kfYfy3WZOGVP90riKp8xBfuzNn3A9IHZAKLyFVj3fHBHgl8gyyk"
    "NvCUiMLviDIx/OHUmMg3eCsIKow2wwLPsAOZ2BTanPsYghm2fFFZZwigjV34pIbBusdgj5"
    "0uRmG/N/am8ko1sP6OsJdliFkRHnlssk3kJVVWTKIMHnMAAQ1c5D1iytQUPwWYIrZhILa5"
    "K62uMMVzUpVhV23vFgQVXtNaOb7twqrFiwUyMYOH4cjrOpW8MIS5S9Cp8A1LxHNqmDL5rj"
    "yP5BOJF+c+GJ8cm/fB2fRsfB+8OTk/ZZ9M30CmEZL1Sn6iwCS1I3fWvQi3tzcZzb3/mFfN"
    "90/vr9nmI9TIBmG/4m1hzwJXOeh1t/+s1CG8J7uo4TaRjElOy7SC8UHHJVPmXxpIFuOs1K"
    "GhfHxWB2Y2ao2NWgBaB0s12m37Fizlk8CYN1JzVlKrWWk1s0sR+7GRnnOiusqiynrmnh21"
    "oCh+MzED1EDfFZfojd4zDwDCau6vAhe8YAb7mYnug4vp1HoJ2JNtf2LQt+mRUBXTJ7lIw6"
    "KgwizH3qI4IaV45iAkiW1WSgP7/Io+DJZzAixsIxNgPzx1Bss5cqLPpk+CYTAhtp/AH2Qq"
    "Rcy1poQwoUdKA2kRHZ28OTo5CS/YMrjzNr5Oz+CtG9mZnlfPuyREJytHq+UjKuyPFpRxNU"
    "MKreGtT/KizVUD4MiW0OhuRDdrdTUvrYsekeNvWVaXh3hfP9bDuy9rdmZeunPikxZA+sKv"
    "c0ggdZlksJpVJfkFmSlXL7UAJcN1bkGfDM4hqM4tgIbsqeBKQungdmH/DJmuoBN2Vh8CsQ"
    "gNgWXD2RCE6/8wjnvgoe0LXDvmoeMIIcsji4l0XHtW6vDOa9sPaveJPMppGY3xZozZekFK"
    "XK+1Cwwp69un1voS+z6Xb7H5ji0j3FqO/k6faJT8IF1V5KJOVZGL6qoiF8XYT/kAqd2XIJ"
    "fNBVA2MIrvs0Wwq7Nk4vFbZck0g/ytFTjhGck0wLaPHXrEf/bdHlTRST6M/MmXPsnuwRGW"
    "yGyVrOxCtzpbUU2bnVfIoK3QR4X89Z7BXL9GBm1KInXt/IdsSYXzn1Ap9Zx/NxneetftcH"
    "qkYvR0p+19UgKSPXK36Yyr2juftcbHtQopjtdUUhwXSynuLYB1V47R26jDzrvLtwtEKW/9"
    "jEUiUODaBJrAxDNEIzNTB7oq/Tpou1HbjdpufF52401Yf/X6B1y4At+C8ZgbsdaCtKMCtS"
    "g1WB8e9emNX2cp+uhHyaa5hjqPxittv4SFYJxgMUUeFYdGDqIAOibgj01FXW7XbVbeYjyq"
    "Y8CwUdUW5ahgwIQGlYweVhIKFwejc3gyPuPV6UWFkQh1EM+h/VcWYb8TnYfXxX0lofIb0N"
    "Bbaj+bMnR65N0k1QEWOIbVpABeuMRrNKE7qEsxk5zPiYDC56AiQJL9JLLDGEmAw0bLkQ7U"
    "WEpmAfOUZZBPBFRGnsM8Jf5PFIQLX1RaQsAvNNIE/A6aCGsC4DkQAIFrNlRzVlKrWTk1F1"
    "iJ/bjOH50p+VHZsTD17XCdy4z5uAlKBmp3eWf2bNd1nHffrV61laZrE5a9TfgReU+y5yt5"
    "OYX9YmG8htOClxpCZuAiEN22fLRfvXC/dfF+BT7ChU/8oKcIf3UYVEpk95FQDXXA13NRC9"
    "snwMTUhb4xB3DGkAbY4o6Gg9iM4i2t6mlm1/FRPIg1kHI6VhI7jAx0kWPG1bQkNBSJDYFJ"
    "HHZFC/JwcEXcbN9HC7csZag6RTwlsruzqJHS+2xqX7Uhs7vNSeD4uGR33eDD5YV3Y9+3sR"
    "NAsCTeA1tjyNKhwqsWViMQj8L/XbO5bd/Nf+3MPzs1W9jBtFndqpxob+raPEs925D6E+R5"
    "chkkWSmVKVL0w0DiH4Df3jCyGZMC7vs97FKEVvmn9SHwKPEGJaRK8t1wHaWyRAZZTB6sib"
    "EavBdaJaz1aZWxK5sKhFqlLItCjmlDDqCtw5Q1tEui9NqsSyKhMukycNjqEE3p+Jicr3zA"
    "5TGXvIB3Q5fnZFzH52GjqlmBccHr0fT7wW7YiuwTn8Jo41/g0wfeJ6Fsu8gPWbtreIgfzU"
    "+iIOaJCTvg438bRJdNEb0M3zlbfXQSxD65+kgtxXWqgj+GZbRxZnFShjdoY13ia02ehdGn"
    "G50zh+HKIIHwSkJlgJNk+iGPF4kT6NNJ9U3MmA4iReJNo24GQTxe5w9U5Q/sx1T4hiCzjZ"
    "kZUGYkrL6sYx5QMbob66CuBaDGZtVRFHCqG/AT78JJEYjzysT7RQH0+AGoW5MpqbOrVdsF"
    "kboblNVOC2onRjsxFWnbZOHaUdZQMW07+XLtymRkhun4oT5tkOvWnjAnRcb8W0moyxsO7l"
    "Jd4JVuAq89nM49HPZzPl+sZCBeiah80iPyyHjGx5wseciQh6AxzzSO299BT14DpWkg1RXD"
    "UiLqlgwL24fHzcKHSRrIqmvfknjm9rFa3ZQVQxR7zHps0Cu5RFTl1+Q+OBtZr++DizcXx/"
    "fB2Hpzzjsvvh7dB+dnF6f8c8S+HR9P2Z/nyGR/np2/MRrtD13EPhoMwBnxpGJP0zI7fH+I"
    "sOlkVzGPmIHBKRreN5b3WLbJDFMfGzxV1hOfrC68/+0EBmVFCdYsZbGAyu+IxeNOgRlwaN"
    "k69ogY/rOkeLZ6qxdl8JZXGa5WRFpGZV2IXUUkKBdbKaupjQUPJpXyIlYSKtuwoSp4gicF"
    "cMq2u0uhl3Q6/xAwVznMP0wvuvs3unziYkNGJYmA8u8G5RFNzI2LDS3KfDvooUtAH4LLt9"
    "F+0ojfb18N4l6xL1eZKyWzw93bId4C2rLbdyg1BAv4B2m0RdepT1xdnrhQnVjcR9SLvSQe"
    "vjphpCCoRgFd/nuyBXQHohc6s55s6FtMP7wSvYugz+0p4rO9nX/gB54zBOz5bcR+kperpz"
    "60rK13mG4yS9gLQcpSS9Y2hU9JKd4Lnu8f0GALGjLDI8qfePQ99szYKgYJA8vdTAgWzEGe"
    "b62rFvvBUx+5UotcNH6HC5yHuF8h7aEow2RxyJp2YM2K6gh11c6K0npmCEBbxCeG5XHrvl"
    "J5OZUNOY8XqxHGNLN12MQEfIaCJS/pEbggvP/9v3Fs27SfSjvLbWpwvZLrz8HsQHT5S1OY"
    "PNWU2wwLzDcmn4A5gh7gx5LbO6J9eysNm1A0kW9+kZdT+K1sZbXthu7ZU4XjPO4KZTl0Ur"
    "k4TAyRgzktc3Ag12pedLyme9FxsX2RTih9FhsGuxSxHxvpOSfaG3N9kDEemEOLXJ8bDpzM"
    "TrHvz2seCAOg0dueFuzNHHiW73rE3UwEdyNXE75MtFFwt2Lqbb0kB3GYq0jFoaRk1f2ipA"
    "a4BOBs6/W64GaldFpCCbLiwFAO1rSInqwlkC4daUhTIhrSzc03UjGEWYSlG3B8SF2qZ0vB"
    "X/Es2tR6I7sMlrffqNrO2oA4d7l+TeXaKBd38gzS7D7A5+83N4Pi8tsCxrfxdQ4T3PSWUw"
    "PVjN3aArpX8XUOE90yM7/O3OWblkZ349xN7e0VqFYnX2VPWMuCDCKxX//5FdnJElu1EEfn"
    "9N+iA+4D2fCywWWQPrSF0x271iHhtJNUPjG51qXzxbOvRkrfJA7F0Hl9vbLdh6A6rw8a5X"
    "blmrIORsX7qlRErjKxOJZHFhPZmKeM0CGcA3eNsk+kMU6JaIRr1H8xfMnyL7GAystE4o6L"
    "Si/pqi9xJZh6x1BZ9E/rhCqfVscqnxaClR3iS+USxePVzYlUNoRE/vhNH7L34OBtZcVKHg"
    "llxfSxRQ1COF0DZGu6MnWtnsFcn6zMzjGVWjJnve91jmTsntdxJP147CZHcvBv4j0AmEpq"
    "IEtEwfSJfWYiaNrYQWGunY1m0AbsgR2emfriPjgzzDHP34bH98GbC5G/PT07Y5+fQP75m9"
    "H5S9FZlwuzdYZpHlgImRy2o/ymv8fbKC3cmXnDHtj01hU79+pFCxVI2MbxeKVNYzGVh8ls"
    "bGIId9Bkq1FWS6sJLYpuMwdhpfGOSU30uxLT4W8q61f7sTvzY3Xw+LN4o7Rf213smNhWpk"
    "9yyGaFdPyYpgv2QheUzOMW8D3w6JDsuysdH9IlEXNlGIjSGzIblJAwqy+H6wgY6Blz/Mgs"
    "ZTF8YkfjN5Iwtw7nJqAJXhCP/eURcb8Q/eA1yIeiH/AMveRdgHiVSRd6fvJ35FHi/MSrZI"
    "sfLvIqrV5ZxxaoxYqofZKiSDeT3hmcovjPRPyroN21/ZtTUkrzXrycP4CUl3PjVQ2iGnvx"
    "xNt/pbBw7ZMzSjMyXdn6bRTkdgiwQqOE95WPOHUyAyTwbbbOU8DukQZ8Ou/FI+B7kMy0j8"
    "erPOEbhpi03+LmUGPRBtzC4WVrubEyLJg5Sw/77CcWyJux//H53WihaZ9rf8RQRhnRcKU1"
    "AV3MS9k5lNjsWoaNmyDdciHCKaS4JEa6GuhEQGmoPQHxnNgmQ5bPeoO5jvz/7Fd5YUFoLn"
    "DNJP/uqzeV1+qpVsGWVXrUYqbzHVjHNfBlo9Z0YB0XERZalzNaskKaSSurpcitailQ0yIa"
    "0o3kZFLqVBNn64iz9KyqkawWvdlt4CqorK+r6x0mvtmlUEFiMtZAJTmZUlFtgjI1TXTKUa"
    "9W1OEaWlD9YCnhsElaW0KG91gK3ToF/ArOPUgVNk8Edl/QvIkrF64V4liAAkgfkMmpo3rA"
    "r0G6k7Lk8tVA9+Fh7IkB76QQqA/9sjLwaxlqv7QEfJcLjYsc7h7vxrM7rsPYHVczdscFxs"
    "5EBjYbxRhlJXXQnsonPmxHw+xyDbScldRaVlnLOl7wWag5Xnilw9rycpo8KjkeVPVotteo"
    "RjSAbBm/vJjGdjPdGU7GFni5L8mFegZwXUYu89puDsFMJuMOueS+Qpt/cWsEuCabk6bqN8"
    "a45jdy2XTjDKthblndKxO5ehiAd1rY6ypkvT7xYJFBGdme/n5Yh2tfJEM1xd6nXXy4hmJf"
    "xC2A61K/iUAvqN8/7wc2dh7oPX/qo6MjNrnuRapg9hMfzlYf/AWwScGild7IO6WI1QpCaa"
    "AtcTbMT0Zcdo+NQts6CDVUOjRdkxvDZuRG4DRMIM8Iap5SZR0zM4V4U2bAyjVPyUppLqCE"
    "Z5GlBDUVuAZMnkUiB2dKQk/PEkSjNVp2lubF9GTdyALymag5wM1USuqN3cxRxTuQBrZGD4"
    "Tsbr0ZXE38bQZ1A+FXutRqVDehmt9eVCreGJGBn4m/jiv8HNVY2kwVxtWYNFPYq51+uIYp"
    "9NGPkq2+OiwxHq8y46RsUCL7XeQ50C45MiHERtCpmMspsRzuUybXFfDxNJeg+uI7BYKMBQ"
    "56RLysBzTmIN3wd2sC9v3t7U1GO+8/5uH//un99dcXx0JVbBAOF+SSZpY67OlZsEYBU49k"
    "AElGRruNOtxJh+QobYpLhuSEr7f2cDY64+llUEH35g6W10RbfTus49z4sF41NCnf5rfU68"
    "t/QJdp36uzE6q47vl6NPwgXJ2uD9S1KaBNAYX2rBqmwH72rOuwfFnZhhV/VWu3QqnBG+t3"
    "Xjlx2TRAnLgCD3jx5eOXm5eXwCABQ5dX1lzOoQ+WokxP6Lpzp52vpsXCne1cUrOBam2Qeh"
    "VvD+V0gWv+NhQhrQ7HXEn0IR6zDUKpk5DKsvOrNWXVng7U2mu/BKkOnzwYkrRgbu7HLoos"
    "0hKzaGWrbraKVgayPqLs2XZZbZTIlpreqsj0bjg6cY8gDIz3kEE8s25WQufFpeMY/bpoJw"
    "Iqw80cD8weyAxTEJgrQrwFtHm5oEb9nTvIRzBNto5L1atJiSgMfUOTpZMipAu0mCKP/cgj"
    "KjmCr0Y6L6cw3IP74NQ6hvfB+HR8AcQd/ywuc8mP5AEE4bM0mfTtl92lyGCLn5SNnhLZYZ"
    "WmcLkY7GTmtw+zYUNKJ1MoV3UvK6XylI+DTi7B1d/e/+3D335pMrvrbKTV+2hhGw3Ro2xn"
    "L9lMf7UJrGrLlpXLwW5xQRWBXyI8m7PbAeLOwejo6Hg0qqeGNbj/cvv9/c01+PL1+sPHbx"
    "8jfiBxmMSX/KNVdM/X66ubUkVYzBMgnhwFkxfcPRMzeGsFjuhwAKYBtn3s0CP+s+8kV6KU"
    "ojj7KnT0EwXYcQO/Zh+NXTM3IfoNYrJScjqNTzWuIWuMeTMe4O+wMVJuc1Gwo9CsNtrZ3I"
    "mu7tzBY68epqJ3GW8qFD4E4A8BXkAg+vkBbIYv6ALPPFE2A/iE2MCADrfduJPoMQuOItt6"
    "5SELecgx0Mvi0cyOfrNj0lz0QWkSlpkR1GuAymuAjr19FmoOXLOhmrOSWs3KqVni9CDd5y"
    "td3b+VAlL1G0AoOgOKVaQKxhKzaytTSKUQy5WIOmDAyhOZNVhZsESyTiswxamEh4gSrybV"
    "CkhRRPIhYiSqcm0HUnjce8MudEggdX90LhCrPD6P8ax7hD6xYwF9jr6rydP1Ofqc2W0FVK"
    "sPAKLhKsdDDRy0HIZnuuAF5Ufq2YPel1FXVTWOu8QtTShCUkX+slIqn8OkM3x/opFalnPk"
    "ABtSH/AVpVmUQ/vH7eG9NHBIM4LaH1XOH9UpKZ0HM0dvuByuOal2kO39bq1TfdRL9SnO9K"
    "ISbh10R9gfNVXwIXWhXs3xuirIvd01lLCVw/ONx03eIPiIBiUOT+rbYR2HJ2xdaycCG7Op"
    "7oPzN9PpfXAxOjXug1MET++Ds9dwfMmMHQJsZPlD8TefkAdAmEXKu6AvwSIw5mH96eKRXT"
    "uX1A6XWg7Xoef98Drs8asvCq07vOo6A5lNUCpontSnkKL4X0dHR3/V8wN0wtCWGgpDzEW0"
    "OfGAYeMm/pfOH9IeVy2Py/LIYgJ5NRQ576Agpz2vEs+LAd8A25yURnaz77Waji34X4ferK"
    "vw7m4uvBRPSY3uRnRzb69KlSw+QNvmVxqU+GDJd8N1HpiRHqXPmfq0eg7XuD0PWC7TJB6v"
    "tCE9DZ641+16hLrIYO44tHiDQgptRIfAIAsRTus3OmlqvS07JYFnoMkDksutyki1o40uJv"
    "pA1JSJIkABZrpAR7OjMFb58i02312+Hq00dfk2dlGB+Iopi7miYlxKb5dvnYAnxr0rUDNd"
    "/9jaqXExqjE1LkaVU4N/lZsawfQPdqNS82IlssOcu4HkpBAaCfEWrm4MNgixbvJintZB/7"
    "Qa/dMC+sSyKPInJnwqoYUqN56clMKVaMNl8m/J6wD4PYdLpcgycNkKM0805PjQqLtituxL"
    "mUGTLmErqd0QEe0slshh6xbAFJj8aiTwKTZ5hgj1wZwt+dtngPWOpzARNG3cqFFcTrQ/hN"
    "SAt6kA0yf+HjpxgTbIs4NAfKPPaxLo5JPnoWZ14hUOgDXLBkTTB0kuciWhsBGjCg1ZHX8g"
    "TZNtE4GgxlrUTgxCfvq2AW1EYt1Fl+vXFK7NQ67e3Ayy7PfB5+83N/smIQX6a4jIWDubyc"
    "hJPC80I9mrhXS4hpFk77AvVdQsEdgh4UGNOTIDG8V303WdodZZxyWUohuj4SpHtBuc+4sb"
    "1zPXmW0EwEQGblit76IOmVfN5RXIJBc55RxvNZOUEmnFAuuE300nEgBsguUc20jwR3xt5k"
    "wGf479EEdsZfD8Bj5jWq4/5JGDfvgA+j5auL6mjhI9NmINspK6MInKWo6mvAxJnxbZHV0w"
    "knyhw6QsbutStqCy3c1k6yuv9NO0SWPb6ysvQuRIdelZSahsSvB4WMozE3kfjIAByC4QOM"
    "mnTcyJDs6Ny+sVVs75qjqFKrE5g+NX4zALMWNWzOAjAlDucLD1thCLRWkUVHX33ZSIwkex"
    "4sg8gzaF3IzDfrjCrN5Y9Vr0WgiZcUxSXa2kZRRWCw1mM2a58RpvL5KF5yX3b8ImPZCCpU"
    "eUVQyxbbaJB67M3pARUnl7mEPHJJYVLlQupBSZwCdsgVrlAe4/gZ25vvzos6z80Lr21Wmx"
    "HbavTj6RUIOwgvgePQ1WptESOr5QhkOXavWu5ke6Tc6wSZvn19oN6S5OgStKLicpJaLyeh"
    "dbBpcxxSainEWgXJO1rv0KETo64Fm8Ybo05bNQsw4C6cqJJUtHFta0iMrEAU+4F0zZJciV"
    "NhL1jJIUJh0oosTM7ixQRMzXFrCtm6vWu+ldF/n0iy8dRZKa7lGkxpaFJtM5akpoZOuZ3m"
    "mVySvkYWM+KImxib4Zri22shqjw2r6tddXh9XwMh+4rEhVtXuaElE53a9hTE0nXev4SyWB"
    "cDT8ANE9HtXJx2KjqinNUSEji2chlR7CrCvSk4j0oUpPGw5fa8V2ClbsLsNG//r/AEvSqA"
    "=="
)
