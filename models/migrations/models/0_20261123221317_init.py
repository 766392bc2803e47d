from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "customer" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "channel" VARCHAR(16) NOT NULL,
    "external_id" VARCHAR(128) NOT NULL,
    "name" VARCHAR(64),
    "phone" VARCHAR(32),
    "is_vip" BOOL NOT NULL,
    "opted_out" BOOL NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "last_inbound_at" TIMESTAMPTZ,
    "last_agent_id" INT,
    CONSTRAINT "uid_customer_channel_f084b5" UNIQUE ("channel", "external_id")
);
COMMENT ON COLUMN "customer"."external_id" IS 'openid or web-chat visitor id';
COMMENT ON COLUMN "customer"."opted_out" IS '退订: no marketing pushes';
COMMENT ON COLUMN "customer"."last_inbound_at" IS 'opens WeChat''s 48 h reply window';
COMMENT ON COLUMN "customer"."last_agent_id" IS 'who served them last (一通就服务到底)';
CREATE TABLE IF NOT EXISTS "shop_order" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "order_no" VARCHAR(40) NOT NULL UNIQUE,
    "buyer_name" VARCHAR(64),
    "phone" VARCHAR(32),
    "items" JSONB NOT NULL,
    "total_fen" BIGINT NOT NULL,
    "refunded_fen" BIGINT NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "paid_at" TIMESTAMPTZ,
    "shipped_at" TIMESTAMPTZ,
    "received_at" TIMESTAMPTZ,
    "courier" VARCHAR(32),
    "tracking_no" VARCHAR(64),
    "tracking_events" JSONB NOT NULL,
    "receipt_due_at" TIMESTAMPTZ,
    "receipt_extended_at" TIMESTAMPTZ,
    "source" VARCHAR(16) NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "customer_id" INT REFERENCES "customer" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_shop_order_phone_607459" ON "shop_order" ("phone");
COMMENT ON COLUMN "shop_order"."items" IS '[{sku, name, qty, price_fen}]';
COMMENT ON COLUMN "shop_order"."tracking_events" IS '[{at, status}], oldest first';
COMMENT ON COLUMN "shop_order"."receipt_due_at" IS 'automatic receipt confirmation';
COMMENT ON COLUMN "shop_order"."receipt_extended_at" IS '延长收货 recorded';
COMMENT ON COLUMN "shop_order"."source" IS 'import, erp, demo';
CREATE TABLE IF NOT EXISTS "agent" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(64) NOT NULL UNIQUE,
    "role" VARCHAR(16) NOT NULL,
    "password_hash" VARCHAR(255) NOT NULL,
    "api_token_digest" VARCHAR(64) UNIQUE,
    "capacity" INT NOT NULL,
    "presence" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "last_seen_at" TIMESTAMPTZ
);
COMMENT ON COLUMN "agent"."capacity" IS 'most conversations held at once';
CREATE TABLE IF NOT EXISTS "conversation" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "channel" VARCHAR(16) NOT NULL,
    "key" VARCHAR(160) NOT NULL UNIQUE,
    "status" VARCHAR(16) NOT NULL,
    "escalation_reason" VARCHAR(64),
    "escalated_at" TIMESTAMPTZ,
    "priority" INT NOT NULL,
    "queued_at" TIMESTAMPTZ,
    "assigned_at" TIMESTAMPTZ,
    "first_reply_at" TIMESTAMPTZ,
    "waiting_since" TIMESTAMPTZ,
    "lapsed_agents" JSONB NOT NULL,
    "misses" INT NOT NULL,
    "holding_sent" INT NOT NULL,
    "opened_at" TIMESTAMPTZ NOT NULL,
    "assignee_id" INT REFERENCES "agent" ("id") ON DELETE CASCADE,
    "customer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "conversation"."key" IS '<channel>:<user id>';
COMMENT ON COLUMN "conversation"."priority" IS 'queue order: VIPs first, then first come';
COMMENT ON COLUMN "conversation"."lapsed_agents" IS 'agents who let its clock lapse';
COMMENT ON COLUMN "conversation"."misses" IS 'reply deadlines the holder missed in a row';
COMMENT ON COLUMN "conversation"."holding_sent" IS 'holding messages sent in this handover';
CREATE TABLE IF NOT EXISTS "message" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "channel" VARCHAR(16) NOT NULL,
    "direction" VARCHAR(3) NOT NULL,
    "kind" VARCHAR(24) NOT NULL,
    "text" TEXT NOT NULL,
    "source_id" VARCHAR(128),
    "author" VARCHAR(32) NOT NULL,
    "intent" VARCHAR(32),
    "confidence" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ NOT NULL,
    "delivery_status" VARCHAR(16) NOT NULL,
    "failure_reason" VARCHAR(128),
    "sent_at" TIMESTAMPTZ,
    "conversation_id" INT NOT NULL REFERENCES "conversation" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_message_convers_365534" UNIQUE ("conversation_id", "direction", "source_id")
);
CREATE INDEX IF NOT EXISTS "idx_message_source__a8aba2" ON "message" ("source_id");
COMMENT ON COLUMN "message"."direction" IS 'in or out';
COMMENT ON COLUMN "message"."source_id" IS 'platform message id';
COMMENT ON COLUMN "message"."author" IS 'customer, bot, agent:<id>';
COMMENT ON COLUMN "message"."delivery_status" IS 'received, pending, sent, undeliverable';
CREATE TABLE IF NOT EXISTS "handover_note" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "open_questions" TEXT NOT NULL,
    "pending" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "author_id" INT NOT NULL REFERENCES "agent" ("id") ON DELETE CASCADE,
    "conversation_id" INT NOT NULL REFERENCES "conversation" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE "handover_note" IS '交接记录: open questions and pending items, shown to the next agent on the conversation.';
CREATE TABLE IF NOT EXISTS "left_message" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "text" TEXT NOT NULL,
    "promised_by" TIMESTAMPTZ NOT NULL,
    "done_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "conversation_id" INT NOT NULL REFERENCES "conversation" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "left_message"."promised_by" IS 'when the customer was told a person would answer';
COMMENT ON TABLE "left_message" IS '留言: a customer''s message for staff when nobody is free or outside staffed hours.';
CREATE TABLE IF NOT EXISTS "sla_event" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(24) NOT NULL,
    "due_at" TIMESTAMPTZ,
    "at" TIMESTAMPTZ NOT NULL,
    "waited_s" DOUBLE PRECISION,
    "within" BOOL,
    "detail" VARCHAR(128),
    "agent_id" INT REFERENCES "agent" ("id") ON DELETE CASCADE,
    "conversation_id" INT NOT NULL REFERENCES "conversation" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "sla_event"."waited_s" IS 'how long the customer had waited';
COMMENT ON COLUMN "sla_event"."within" IS 'promise kept, for events that carry one';
CREATE TABLE IF NOT EXISTS "referral_campaign" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(32) NOT NULL UNIQUE,
    "title" VARCHAR(64) NOT NULL,
    "starts_at" TIMESTAMPTZ NOT NULL,
    "ends_at" TIMESTAMPTZ NOT NULL,
    "tiers" JSONB NOT NULL,
    "max_cards" INT NOT NULL,
    "share_copy" TEXT,
    "landing_text" TEXT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON COLUMN "referral_campaign"."name" IS 'slug used in URLs and the CLI';
COMMENT ON COLUMN "referral_campaign"."tiers" IS '{\"bounties\": [[from_nth, fen]], \"rates\": [[from_count, \"0.02\"]]}';
COMMENT ON COLUMN "referral_campaign"."max_cards" IS 'cards one referrer may hold (seed: 5)';
COMMENT ON COLUMN "referral_campaign"."share_copy" IS '朋友圈文案; {link} is replaced by the share link';
CREATE TABLE IF NOT EXISTS "customer_tag" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "tag" VARCHAR(32) NOT NULL,
    "customer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_customer_ta_custome_6a8270" UNIQUE ("customer_id", "tag")
);
COMMENT ON TABLE "customer_tag" IS 'A marketing tag on a customer, for pushing a campaign to a tagged segment.';
CREATE TABLE IF NOT EXISTS "referral_push" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "segment" VARCHAR(96) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "campaign_id" INT NOT NULL REFERENCES "referral_campaign" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_referral_pu_campaig_1d20e5" UNIQUE ("campaign_id", "segment")
);
COMMENT ON TABLE "referral_push" IS 'One push of a campaign to one segment; re-running the same push resumes it.';
CREATE TABLE IF NOT EXISTS "referral_push_recipient" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "status" VARCHAR(16) NOT NULL,
    "method" VARCHAR(16),
    "detail" VARCHAR(64),
    "updated_at" TIMESTAMPTZ,
    "customer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE CASCADE,
    "push_id" INT NOT NULL REFERENCES "referral_push" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_referral_pu_push_id_c03b0d" UNIQUE ("push_id", "customer_id")
);
COMMENT ON COLUMN "referral_push_recipient"."status" IS 'pending, sending, sent, failed, skipped, interrupted';
COMMENT ON COLUMN "referral_push_recipient"."method" IS 'kf, template, or the channel name';
COMMENT ON COLUMN "referral_push_recipient"."detail" IS 'why it failed or was skipped';
CREATE TABLE IF NOT EXISTS "referral_card" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "number" INT NOT NULL,
    "code" VARCHAR(32) NOT NULL UNIQUE,
    "opens" INT NOT NULL,
    "wechat_qr_url" VARCHAR(255),
    "wechat_qr_expires_at" TIMESTAMPTZ,
    "issued_at" TIMESTAMPTZ NOT NULL,
    "campaign_id" INT NOT NULL REFERENCES "referral_campaign" ("id") ON DELETE CASCADE,
    "referrer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_referral_ca_campaig_bfc40f" UNIQUE ("campaign_id", "referrer_id", "number")
);
COMMENT ON COLUMN "referral_card"."number" IS '1..max_cards within the referrer''s cards of the campaign';
COMMENT ON COLUMN "referral_card"."opens" IS 'landing page views';
COMMENT ON COLUMN "referral_card"."wechat_qr_url" IS 'Official Account QR content';
CREATE TABLE IF NOT EXISTS "referral" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "status" VARCHAR(16) NOT NULL,
    "first_visit_at" TIMESTAMPTZ NOT NULL,
    "first_visit_channel" VARCHAR(16) NOT NULL,
    "converted_at" TIMESTAMPTZ,
    "converted_by" VARCHAR(64),
    "position" INT,
    "campaign_id" INT NOT NULL REFERENCES "referral_campaign" ("id") ON DELETE CASCADE,
    "referrer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE CASCADE,
    "card_id" INT NOT NULL UNIQUE REFERENCES "referral_card" ("id") ON DELETE CASCADE,
    "referred_id" INT NOT NULL UNIQUE REFERENCES "customer" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_referral_campaig_229609" UNIQUE ("campaign_id", "referrer_id", "position")
);
COMMENT ON COLUMN "referral"."status" IS 'visited, converted, rejected';
COMMENT ON COLUMN "referral"."converted_by" IS 'order:<no> or staff:<name>';
COMMENT ON COLUMN "referral"."position" IS 'n-th successful referral of the referrer';
CREATE TABLE IF NOT EXISTS "referral_follow_up" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "done_at" TIMESTAMPTZ,
    "done_by" VARCHAR(64),
    "note" TEXT,
    "referral_id" INT NOT NULL UNIQUE REFERENCES "referral" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE "referral_follow_up" IS 'A staff task: call a referred friend who has not bought within 24 hours (seed: 24小时内).';
CREATE TABLE IF NOT EXISTS "referral_rejection" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "reason" VARCHAR(32) NOT NULL,
    "channel" VARCHAR(16),
    "created_at" TIMESTAMPTZ NOT NULL,
    "campaign_id" INT REFERENCES "referral_campaign" ("id") ON DELETE CASCADE,
    "card_id" INT REFERENCES "referral_card" ("id") ON DELETE CASCADE,
    "customer_id" INT REFERENCES "customer" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE "referral_rejection" IS 'An attribution or conversion the rules refused, kept so marketing can see attempted abuse.';
CREATE TABLE IF NOT EXISTS "referral_reward" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "key" VARCHAR(80) NOT NULL UNIQUE,
    "kind" VARCHAR(16) NOT NULL,
    "amount_fen" BIGINT NOT NULL,
    "base_fen" BIGINT,
    "rate" VARCHAR(12),
    "order_no" VARCHAR(40),
    "earned_on" DATE NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "campaign_id" INT NOT NULL REFERENCES "referral_campaign" ("id") ON DELETE CASCADE,
    "referral_id" INT NOT NULL REFERENCES "referral" ("id") ON DELETE CASCADE,
    "referrer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "referral_reward"."kind" IS 'bounty or commission';
COMMENT ON COLUMN "referral_reward"."base_fen" IS 'commission: the purchase net of refunds';
COMMENT ON COLUMN "referral_reward"."rate" IS 'commission rate as a decimal string';
COMMENT ON COLUMN "referral_reward"."earned_on" IS 'shop-local date the reward was earned';
CREATE TABLE IF NOT EXISTS "after_sales_case" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "case_no" VARCHAR(24) NOT NULL UNIQUE,
    "kind" VARCHAR(16) NOT NULL,
    "state" VARCHAR(20) NOT NULL,
    "item" JSONB,
    "description" TEXT NOT NULL,
    "wanted" VARCHAR(64),
    "requested_fen" BIGINT,
    "outcome" VARCHAR(16),
    "refund_method" VARCHAR(16),
    "amount_fen" BIGINT,
    "approved_fen" BIGINT,
    "reject_reason" TEXT,
    "immediate_review" BOOL NOT NULL,
    "escalation" VARCHAR(32),
    "open_key" VARCHAR(80) UNIQUE,
    "source_key" VARCHAR(160) UNIQUE,
    "created_at" TIMESTAMPTZ NOT NULL,
    "touched_at" TIMESTAMPTZ NOT NULL,
    "resolved_at" TIMESTAMPTZ,
    "satisfaction_due_at" TIMESTAMPTZ,
    "approved_by_id" INT REFERENCES "agent" ("id") ON DELETE CASCADE,
    "assignee_id" INT REFERENCES "agent" ("id") ON DELETE CASCADE,
    "customer_id" INT REFERENCES "customer" ("id") ON DELETE CASCADE,
    "order_id" INT NOT NULL REFERENCES "shop_order" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "after_sales_case"."case_no" IS 'AS<YYYYMMDD>-<NNNN>, shop-local date';
COMMENT ON COLUMN "after_sales_case"."kind" IS 'track, extend, damaged, missing, exchange, return, refund, rights';
COMMENT ON COLUMN "after_sales_case"."item" IS 'the order item concerned; null: the whole order';
COMMENT ON COLUMN "after_sales_case"."description" IS 'what the customer said happened';
COMMENT ON COLUMN "after_sales_case"."wanted" IS 'exchange: the size or colour wanted';
COMMENT ON COLUMN "after_sales_case"."requested_fen" IS 'refund the customer asked for';
COMMENT ON COLUMN "after_sales_case"."refund_method" IS 'original, balance, gift_card, alipay';
COMMENT ON COLUMN "after_sales_case"."amount_fen" IS 'refunded or compensated';
COMMENT ON COLUMN "after_sales_case"."approved_fen" IS 'compensation a supervisor approved beforehand';
COMMENT ON COLUMN "after_sales_case"."immediate_review" IS '初步鉴定: not the customer''s doing';
COMMENT ON COLUMN "after_sales_case"."satisfaction_due_at" IS 'satisfaction follow-up (回访) due';
COMMENT ON COLUMN "after_sales_case"."customer_id" IS 'who filed it; null when filed by the daily job';
CREATE TABLE IF NOT EXISTS "after_sales_event" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "action" VARCHAR(16) NOT NULL,
    "from_state" VARCHAR(20),
    "to_state" VARCHAR(20),
    "actor" VARCHAR(48) NOT NULL,
    "reason" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    "case_id" INT NOT NULL REFERENCES "after_sales_case" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "after_sales_event"."action" IS 'filed, transition, photo, flag, assign, approve, remind';
COMMENT ON COLUMN "after_sales_event"."actor" IS 'customer:<id>, agent:<id>, system';
CREATE TABLE IF NOT EXISTS "after_sales_photo" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "url" VARCHAR(512) NOT NULL,
    "source_key" VARCHAR(160) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "case_id" INT NOT NULL REFERENCES "after_sales_case" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_after_sales_case_id_1c6689" UNIQUE ("case_id", "source_key")
);
COMMENT ON COLUMN "after_sales_photo"."source_key" IS '<channel>:<message id or upload digest>';
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztXWtz2ziy/SsofZlMlZKSZcuPTCpVtscz690kznU8u3t3nGJBJCRhTBEcArTiO5v/fg"
    "G+xKdMUJQE0ZgPGZtE0+RpPLpPNxp/9ebEQjZ9c+lTRubI670Ff/UcOEf8h8K9PuhB113e"
    "ERcYHNtBYzPdakyZB03Gr0+gTRG/ZCFqethlmDj8quPbtrhITN4QO9PlJd/Bf/rIYGSK2C"
    "x4n99/75kz6DjIFo9G3xjyHGgb2Op9/covYMdC3xAVDcWv7oMxwci2Mh/C2/JbwXWDPbnB"
    "tWuH/RI0FO8xNkxi+3Nn2dh9YjPiJK2xw8TVKXKQBxkSj2eeLz5MvHeEQfyt4Tcsm4SvmJ"
    "Kx0AT6NksBMTaW13qG8enmzvhydWcYPQnoTOII2Pmr0uDrp+IVXg8Pjk6OTg+Pj055k+A1"
    "kysn38M/vQQmFAzg+XTX+x7chwyGLQKMl6CmlJJF9nIGvXJoUyI5fPmL5/GN0VwFcHxhif"
    "Cyv20D4jn8ZtjImbIZ//XgeAWe/zy/vfzb+e2rg+MfxR8kfHiE4+ZTdGcY3BKQLyFOd3YJ"
    "mHNiKkPdIy5ysAWIBxZo/Jp3EAYeMcWMXwjfXloLw9M6ahieVutB3MsqIvi/hAbi9o2gjy"
    "YJNTv58VENdI+PKsEVt7LYuhwhKXATge6hezisge7hsBJdcSuLLqbGI3aL8F4QYiPoVCyB"
    "iVAO4jGX2tTkkVzZAMorUL24ufkgnjyn9E87uHB9l4P3t48XV3zKCFDnjTBD6RVyiTVxOS"
    "IG8Zkk3Bk5tRHv3ftng8Hg3j8dwyFHm4A59B4Q4+AD16czROvN2dtRiOkhAZkBSzTyM7/D"
    "8BxVWCoZyZxOrEj0TfyDOutpGyPi7vrj1Ze784+fM1r4+fzuStwZBlefcldf5c2a5CHgX9"
    "d3fwPiV/Cfm09XAZyEsqkX/MVlu7v/9MQ7QZ8RwyELA1ppTOLL8aWMmm1ImYGdMfGdJrou"
    "EW9B4dtZZwL7iYJ/Ib5csh8oODoFM+Ah134CC/6XOGAvszdArh1WajZX+n0FueddwN2pfT"
    "EjgCLvEVmAu8lzIF4evLr3j5CYnM8GB/DeH5mHB/f+8cnA4j8P4YH495DfHaGz0Y81TesW"
    "fEjhlU8eUi6kuDCG5sMCepaRuZOauYnziDwKxffSkuU0Ev/lH7fIDhqVKCymL1KP2t+Jen"
    "k16mRZy8Oz+Ceuh9ONeIYyPbxdfBicrtuLInrrDk672olC+83wkIkwn1jWw+szf9gtMrGL"
    "Ua15cy8R89AEeR5/LWMOrRIfVgaw2+hZXcfKMDkgaw7GGKtL3r7zeHnoD2S2sA7exs/p6B"
    "yfAmzRRhcTLa8c5j11tYeZkKI1UTqfMOR9gTail/xhynSswDyeYJtbx5j9FDwALGbIia6N"
    "n4TRDCyIuZv0BxlL+UhFTIU9S4akysLN3sr3V2QZ46dqJdw46I7wf1pdP/ZldAsY58N5Dt"
    "g5dLiXZkWPE8Jlhn5ZHDPnCKyIZeZbthrP1FFLHbVUJ+TQftTyAZVMaNXwRs3bgXYTfbf3"
    "LuoB79++8ykSgcn3jSKTx4NaUA9WYD3Ig00ZZH7JKl6N91Jie725Nyast6fdmb8VDBdfbl"
    "lCGq4ItUPxZcLdi1u2HxWOgGsUvMnL7g2b/yKjN66HiYdZyZpRaeykRRqx9I0msYHkssGf"
    "7CMQULNvwT+vP1PufniU9YXz4YQ/A5OE3W9bhtES9uDtmoyujKAeWioPLUgpnjqNtJwT1X"
    "pWWc/BXGIEYd8Gqi5Ka22rrO0FxCLfxqDYMUuCDquVXRDWulZZ1zZ0qZiERVpCiZf39y83"
    "n6qyGXKCeT1jk4H/AhvTjdlLvXcT3wkiDmDsY5t3O/pG/L33kp5gL/wIIEhdGzGA+c+mTc"
    "wHEHykFHtb1ikEiJn+EPslrz6e/zvvslx+uLnIK1o84CJnXs0xLWXXK23apYC6Fm2YWGQh"
    "aNnYQTRg0WfE5gYuCF7fAtgBEHh1047atmnFuwSTWxRzrgl9XkxdBURvCuaIUj4qKBCvLE"
    "BnM0zBDDoWeQyTOLYPvshEa2RqZgR1qqXS61HkFiC51LqclMKJdVuOU6TiElF+kRywOant"
    "TVyKI1vIOSwCXUT5F+Ih3k3/gZ4CsK/5W8FyI7lkY+SegVwVc+WXPbhIgpH5DsYx4F+Own"
    "z7y/Mvl+c/X/VKJ4gW4D2f1ksdU2xmqAttblIsh7ZOrmxsDBQhl0nl+Bg+pUN9ObuDj7B1"
    "EfpbZF594o/qKkw2mjCjnQ71gT+q452K2tBAj+WuuQxUX2x49dixPFmprCjJTJ+4W5Uk+a"
    "R6XHV+zzzVqO1SBbnUIQt7y6xLSnzPRLp0gU4C2vm43XTWRKbf1wU5I6QyzPxxomRBtGVX"
    "epd3nU3e1Xu8C/lW/NtkUI7bbzH9h6FvW8r/GdbJRBlWZ6IMC5ko8btn4b3jV8vhjdtvEd"
    "5NQbuKubr6991q0jwhrj7cfPo1bp5n0nPJbMn6KNGdM0IbSq1qI4vQ5VbghHjzmLxVqb4J"
    "9DlsJZRINepLiS328zR3IwN9LNcHY8L6IIgnvX3XMI1zAzU6HFYasKhGfynRvVzC9vHlf2"
    "6CLVQaLf/FJrCKXM2I5YCeCLn9g3oFtD/f/Hbx4Qp8vr26vP5yHYVEk+BDcDPwYZJ6G7dX"
    "5x90wY2XGAXiDjXmXu6TIZ99XiK6xQUkvbdZLvAdyvWBixwRge0Hkdc+8J3og4LXarKct+"
    "55TSC2fQ81SFYvSnZvddmI+ST6QoM5LyWms7BUnu/SpJ5kgLYoqYO0NYK0ORZ13UBtN0vA"
    "9PPB2mJnk40qbpK1DwvMlHD2SeWZasaezohrkKSd3o+7TwO9v4KKD3TKJ14ZOyUto+620Y"
    "YGylGdTaJH1XtEjwpbRMf+k4BLsoRtVqp7huALKGS7u068AY6MoblUAnwisMeJ77//RR/8"
    "PhAY9MGf7Im7nx42kTFBzvev9bzNbee9M8KgLV6wqKsLPK1cLjNiyuZfy66aZ8Ph4eHJcH"
    "B4fDo6OjkZnQ6S5bN4a9U6enH9q1hKMyop5pB6aCL4CEse/ryk1kAzDexJNQYXYlkKTJnE"
    "AvHuDbiWlJjmWlTmWugMu26jEEJWUmtZZS3HhHoDNedEtZ5V1rNJfA+XbbZYkWm3FOme19"
    "m+YySIsAexe1GOQ8mJdQ/p9v37BLKqlO9qZ7REdK/dUsj6ILRcBZcsdgBTFla0UdMrDdYM"
    "lxmWj5quOBnpvVl0gtl5Dhk2QfQVIEhr8ebLDPUXtSDFuhRnpAUeb/PukHvE/vQJcQTE5P"
    "jePxudTO7949Eh//nUGp6ILiK49Zp5iV3qFmESqZTjnkhs0XHHc5d4spnUkVQfIM/tAwvN"
    "ST39btqT912rYbJYVlIniyk9tHa3s101+7SLG9sVw7jVfe11Nl/vooi+orPVdveAhtUBSr"
    "JJkrIB1dkkMGmiE0n2afbrg+pEkq0e0asYtBsmPjxiS0Ebt9+iYZyM6P0MaVG64I6XMYN0"
    "JgN0QVDlPbMN4R6ORnV2dI5G1Vs6xb3cfjcX85n7AfFlH08Rldp7VSbbCn3a6TnEhC405a"
    "p8p0W2l5AwkgOYmxdBGe/UcZVgxr8GQAZIZGRvv5qYy/238v1uKyaTlMwWZ24ymYhikvs6"
    "d+sdb5XQd4nECA4HpohP+g3Pl07J7g1R/GI0XWBVann+OzuiWE3t6/pr+1lRbB97E3Rdj4"
    "gcoO6eYdkuYBqn3bCUmTmrhKzMz2nVnGVc3Ntw4qbPcZe9e/8IwaN7//gQju790/F4cO+P"
    "JqPRWyBKbgOuFRo6LPzR8cZ2EOyb6AM6IwsHMBLUeHfQNxZWTeE+TXAlvfi9yfs4W/3Dmo"
    "dVi4cVGjYSDRcBri6cVZTUJbSkS2hFo0kG95SIBlwacE0ANFLFPriFxQppkscepGV02Yey"
    "Uw90YQ1dWGPnE1R7hTXq1FTc2DkI+4puZppUqWBJuoJ9ie+WK3Bf7bqli+rX9dxORqMz7j"
    "rBweAtgCBOV/qBJtVDJ8QTKfiTCViI42QdMibWE8AUTDyEouLEFFsobIQsMCO+R8t8tU3+"
    "Ke2dqeWdqV/MeEf26EZ8MY/MsTiFcVwS9n5mu3JWdH+cg14wRQRMTTSRgAWkgBEREgcuX0"
    "WJAxbEF786dFH3sLouuRIWcZrsQkqJ6QiiyvrVjMDLULP2XbXvuvOhtO9FIZNAdYmDlQ5i"
    "rygNGYfMa7lWOqFfpdHeX+GqqH+szfZyoFs/1KbZRvg93AD/Ik0Tec1qi3MP1LqAWHgHJU"
    "H1FaeYpIWUPsOkNyMLYBNnmmUPZtAC4TeszRS0ccLJArMZLquuSIiNoFOhg0Qop4Exl1JH"
    "ARHpBB6Qy/oB6xumInKFQAZM6HlPIKpYu5YeLm5uPmTG3MV1nk377ePF1e2rgx+z+igGEC"
    "3EIJY6yHEp0b2aR5s5G0yEnyQD3ykRvXNfh701daAU2JsNe09Lz7LbWNRbsamidtA7NUWq"
    "xMdcwrkLuaJ6JXxMcq+/io/x0AR5HrQNM91c8zL7NJX2V/Ay3Su00KO2PwU+RRbADvjt9k"
    "OYmC7ckMsP1/XM3Y2X+cRMrghDItBBPqz97el8NfIYbVJ0Oi2o+ROl+RPkWE1UnBLTClZa"
    "wQxzc7Wo3hV1eWOB7VfjbbBM/XXfGxPf4S9N78Wa/PvEI3PDYbM+mCDnKzeD7nviNdN3TS"
    "EgbgzeDIb3va9fv69N32ykQq+Y301uvZaor9Jiy8ioWyEkeEVBnIHQNEYemMMnMBMpUa8o"
    "QhZ/5I81rYyWiQjKzQfEEXVLEtSqkwKzUgrTaL17//hkML73R4em+PdkcCrq3Z6e8H9Pj0"
    "5/An/Z2Hn4LlJZPeTa0OQW4PgpMPyCbwTi9trjZSO5hTYMNm0ZsgmdeTmFtadsXqdO8HoR"
    "1oSuT9xZNTcq+OL6dLZuEYXPfliobz/1vbrGREz8rQnRbfSYrsJUYeU2geiSt+8qTB76A5"
    "kt1Fa6jZ+zt3bNczgt2uhQouWVw7ynLvWnjQZKogSVOzjtlcVKUrf7q8IlSSVyFrV8dnPg"
    "OXcfvQduOohUGTgVlVGW2/bCvA2xVInb/HoUhBEVVaBozj8GUDSdI4cVNwO2++iSyM3vmT"
    "L14pO/6mDOLvcDwpJSISuCCnDLZUK2FlJoP2Kzu3MvlEO6iwdfqAZy7aSO9U6+2OSS+gux"
    "bbL4zS1bT5N7KxfTJPdgEjQ3fLfukhrub2eQPrzlC5tt8xUtYmstMPEwciywmBEwgxQ4hI"
    "Ex8aczBsLETjA8Cre8x3Tu8OjeH5mD4HAtcdDW6OB09GPZarulv6pTKNRadTWB+Nw0trfM"
    "kt7o/cL0W1bbYUX2+VKkC5GXTaflxLVO60a34vZdwHbbUa3EdpJa8nNS7fgre7/4S8QXig"
    "Z1USVFfdw46I7wf2r6Netw6jtVRl2vJtcNa3g1a3kqQRinxEuJwzs1PBQ3bvqsc8LVHLBu"
    "gExyrJvIKYkIt5+44/Da8x0HRxvoKH+zUIyveP4cUYBLCL+Wn13O+KXywKMnatZvp/5HrA"
    "UJwyUl0kH276zOuUBn1ecCnelzgV6mCzDBDqazRnrOiWpXT2U9x2uYJJmfldJkfg0yP2Us"
    "rEvmpx61ZyDXJvOzHaz5MdYeMrGL1z93SBjAt/GzOgT8RlMJsqBVuBUZVGv6F4aXEWp1D+"
    "bvvdiDSeJv2qjfqVHPIPNLhu8Kmz6R2OK5H6nTRqRqk4Rife6TLn8QVUogtpHFf3vArit+"
    "4HDzAeC7tQvGbPqE0DkfMkSqktlSQmEes/cw6QOG5i5fEviziBeW7ZlBx0E2iDf97h7+jl"
    "aI6S1mTwCzqP8L+EWZ5WgUNEG+ffJeofx57RltzjPSaU6bOsRbWHBSqKYkNKLP+5qxAbum"
    "n9mxPR39nI+Z6lTPV//RuXgy0Cqci5dEDEvc0XQ08XlPdBOuZ5olijdVR4sbDp6oXVHtij"
    "7rij5imtQVlbC8I7F+dBZt8GO4W0kVl3OCPcqM4D0bBSby0joIpbQJnlZY5IDLjL0K8Q6G"
    "edsfackU0CTQm5PVfq7Kg2ypLbmMz7ycypwS8SzkvX3nkPcgPvKP/8YBeK8Go5SYd/VNtr"
    "SIwqWIe85rNgPUN01E6cS3QWw9i8QsQaymrdwdFCzW4e8NIRvrtUnWrabPVvdZ7gNL9tdE"
    "QucxV/VUSUxzUhpXnQDTKoNWJwGmbL7VBGX9tPrGBKWuUtIstSi7iBVBa7j7o2m5oL3YAZ"
    "JavGvPAutDu84csBew5tZv6Y01KZYqvSW/fBKIwX9+KkiXA1DCgWtnGmgQoAkG9YogTTzo"
    "ax3YEDXdUrTG8edjnTa441hNpIT6wC4FVHY7ewdv3iT1oeOKGWki5QcKosLMIcGS7qS7OB"
    "HKkjrdIW6v7qEaDSn69uswEReV1RCs7N9J++1174Fk346KOAOXLw3gEaMF3U2vXSBzBpnx"
    "p2f4nlTIqSCoMit+M5lgE0MbnJtBNX3wP7ci9MuitHrpw3xHoxpdnLeqPs5X3KvSBPrmYg"
    "81Oeei6hk6LqVyXApT6jcKP2YEdYRfaSXr+IuOv+wDsprX1rz2PsDbIq+tq5RXYC63ZbZO"
    "0SN5mlCi7tE+oSpFE8Ydq5QjTPW6GgShl2n/fFVVB0DGP3PsiysipSg6UVj8FnAxvo3E0U"
    "sTcfZmPzh3HlCSqkFuQgdQhMRj0Fxs6QRwzNuWlFLd6J/S9VPV4iw9BGlZFlg14bCU6GBa"
    "6wZql8tnEa+bOazY/LvxxGFdH0o77pt03FUbT3uf3dd1QHe2j7uDwCrHgyiG8cZokPJ8KW"
    "lkJTOm9hZdiZSp3ezs3ldkVd7YvUyiLKUEMjmWtUiBxUbyhrSHvUMP+wFJbXKLmncuG+V0"
    "UMPvOx1U+n3iVtbMeuCfJYVs1F5l2qI3FmkRTyHrNp9jSiOKcPduNpyLVzMmqMTeusDTyn"
    "kiK9el+N7ZcHh4eDIcHB6fjo5OTkang2TuKN5aNYlcXP8q5pGMKopuxRhSJA9/Wkphn6K3"
    "7O5vA5bZ9T1zxt8dOIiJxELBNzuWXHbWlhUkQJRiUqHyR6yk1ALEywBIAQQWMvEc2iDSQp"
    "PpqQ7PelDNsx4UcxPFhmvDITIKSMsorISGK+5RnRX3qHrFPSqsuAh6DuJGc8kUJIjWcpAz"
    "Qqs4VnUWgh6dEfe1TUzex8WbRdnOwjgPakOGn1Sv36/QgaBVNZetuWydhNZ2EpoSR291El"
    "md3tdRWls1kHV6nxLw1krvK5uAWwwddB5emcP2tsZun08Y8r5AG9FL7ob3SgjuXIv+Ko4b"
    "irYGFY0NM26tSe59WrL6K0huoVJJ5zsloi7Z3Tv/8u5/+X8fP/788/vX7z7x/973Qc49bE"
    "KADOtUdBtWV3QbFiq6dZIOF/PDQx+gbww5Vp+jPReTVR8EnJQ4ugR9E9lyUyTqxjLfc/oR"
    "Ucj/j6czVpcv3DB3LmrySlGDicAWa/h6iDem8lV8G9JTwzr01LCanhoW6CnM0LwI8t+/3H"
    "yqmNyj9nmyBJsM/BfYmCpEjwsGKqArgXhrkZJtIkFC/RQ8LKTMFzNiR63W5qYEahk2pXAu"
    "dv4I7H6WJhEPyJ+Lnf6mgp6qjyLPiW1xSEiOhN5iBllYAiHyDACF2AIzbhehNhjDjZxWvo"
    "AOK6vfs2LPeSKhMGvei5eGcHBQ/H8oDKvaxBdH/MSfsPtarMnEKx/dK4iqHOILV+bs+ID0"
    "AVlgQuSqsW45sEd8ZpK51AKeElF4jCiTwx92DUP+gLeCoMJocyzwFDuQi42hLbiPPpjiCQ"
    "sq6/QBtLELn9QwWHeY7LHVySg8742PVFGpBtZfEXYyDXErwiOPTZaJvKTKikmUIXIOIKC+"
    "i7xHTLma4q8AY8QXDMQXd6XVFW7xNKp22FXbuwVBhee0VsK3m7Bq8XyOLMzh4TiKuk4lA4"
    "Zwdwk6Fb5hiXhODWMuvynPI7kiMXDu/dHwwLr3j8fHo3v/bHhyxK+MzyDXCMl6JT9QYJHa"
    "mTurBsLNzYeM5i6u86r57ePFFV98AjXyRphVjBb+LXC5B73u8p+V6sI42UYNN0MyJzkt0w"
    "rGnc5Lpty/NJEsxlmprqF8cFwHZt5qhY1aAFonSzVabfctWYoR35w1UnNWUqtZaTXzRxH7"
    "sZGec6K6yqLKehaeHZ3AoPiNYfmogb4rHrE3es98AAirub/2XfCKG+zHFrr3T8fjyY+Af9"
    "n6EYN96x4JVTF+kss0LAoqzHLsLIsTUoqnDkKS2GalNLAvr+hDbzEjYIJtZAHMwqgzWMyQ"
    "E10bPwUMgwWx/QT+IGMpYq41JYQbeqQ0kBbR2cnPZycn6QVrJnfexM/ZM3jrZnam+9XLLg"
    "mxkZmj1fIRFfZHC8o4nyKF5vDWO3nR5qoBcGRLaHSfRTdrdTUvrYsekcPWLKsrUryvHuvh"
    "vS9zdqZfujPCSAsgfRbP6RJIm9xksOxVJfsLMl2u3tYClDTXewv2yeDsg+q9BdCUjQouJZ"
    "RObg/snz7XFXTCk9X7IJiE+mBiw2kfhPN/P857EKntc1w752HDGUITj8wN6bz2rFT34rXt"
    "J7UzIo9yWkZj/DzGfL4gJa7XygmGlJ3bp9b8Evs+b99h6z2fRoS1HP1Mn2i0+UG6qshpna"
    "oip9VVRU6LuZ/yCVLbL0EuuxdA2cQosc4Wwa7eJRO3X2uXTDPI3018J4yRjH1sM+zQN+LP"
    "vt+BKjayH0Y+8qUj2XsQwgp2tkpWdqFrxVZU0+bGK2TQVuijwv71PYO5fo0M2pRE2rTzH7"
    "IlFc5/QqXUc/7dpHnrp26H3SOVo6dP2t4lJSB5Ru46J+OqNuaz1vioViHF0YpKiqNiKcWd"
    "JbBuyzF6F52w8/7tuzmiVBz9jIONQL5rE2gBC08RjcxMneiq9HDQdqO2G7Xd+LLsxnPkYX"
    "NWZjRGd1ZbjMs2Oka0TwN7lUEYnU8pY6+kRFQ2VpqS5KNRHZZ8NKqmycW9wgZkKZY8bN5B"
    "dA8Gtay8wQorb1C08ojDouh1XW42JbJ9enY3Vl1rRGzBTtjmYvb9/wF8IhhX"
)
