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
    CONSTRAINT "uid_customer_channel_f084b5" UNIQUE ("channel", "external_id")
);
COMMENT ON COLUMN "customer"."external_id" IS 'openid or web-chat visitor id';
COMMENT ON COLUMN "customer"."opted_out" IS '退订: no marketing pushes';
COMMENT ON COLUMN "customer"."last_inbound_at" IS 'opens WeChat''s 48 h reply window';
CREATE TABLE IF NOT EXISTS "conversation" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "channel" VARCHAR(16) NOT NULL,
    "key" VARCHAR(160) NOT NULL UNIQUE,
    "status" VARCHAR(16) NOT NULL,
    "escalation_reason" VARCHAR(64),
    "escalated_at" TIMESTAMPTZ,
    "opened_at" TIMESTAMPTZ NOT NULL,
    "last_message_at" TIMESTAMPTZ,
    "customer_id" INT NOT NULL REFERENCES "customer" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "conversation"."key" IS '<channel>:<user id>';
COMMENT ON COLUMN "conversation"."status" IS 'bot, handoff, closed';
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
    CONSTRAINT "uid_message_channel_00de9c" UNIQUE ("channel", "direction", "source_id")
);
COMMENT ON COLUMN "message"."direction" IS 'in or out';
COMMENT ON COLUMN "message"."source_id" IS 'platform message id';
COMMENT ON COLUMN "message"."author" IS 'customer, bot, agent:<id>';
COMMENT ON COLUMN "message"."delivery_status" IS 'received, pending, sent, undeliverable';
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
    "eJztm21vmzoUx7+KxZvbSdmU0oflVtWkJM3uctcmU5vdTXsQcsBJUMFm2LSNtn73azsQHg"
    "JcYEkuafOq7fE52PxsbJ+/3Z+KTQxk0VddjzJiI1c5Az8VDG3Ef1kpawAFOk5YIgwMji3p"
    "rEe9xpS5UGfcPoEWRdxkIKq7psNMgrkVe5YljETnjiaehiYPmz88pDEyRWwm2/P1q6LPIM"
    "bIEo9GDwy5GFqaaSjfv3ODiQ30gKhwFH86t9rERJYRexHuy4ukXWNzR9r6mL2VjqIdY00n"
    "lmfj0NmZsxnBS28TM2GdIoxcyJB4PHM98WKi3T6D4F0X7xC6LJoYiTHQBHoWi4AYa6FN0b"
    "TBcKTd9EaappRApxMssPOmUvn2U9GEl+rh8evj1tHpcYu7yGYuLa8fF1WHYBaBEs9gpDzK"
    "csjgwkMyDqFGOiVOtjuDbjraSEiCL294km9AMw9wYAgJh+NtG4ht+KBZCE/ZjP95eJrD85"
    "/2dfdd+/rg8PSFqJDwz2Px3Qz8ElUWCeQh4uhgL4E5EVZn1ApxEDYNQFxwj8Yv+QBh4M6k"
    "JuOGRetL94LaKtINaiu7H0RZvCPkzxI9EPhXQu9PEvUc5KfHBeieHmfCFUVxtg4nVAruMu"
    "Dp0T1SC9A9UjPpiqI4XZNqd6azirdDiIUgzlgCl0EJxGMetanJY2nZAOUcqp3h8FI82ab0"
    "hyUN/VEC78erTo9PGZI6dzIZiq6QIWvicCIa8VhJ3LG4ehNXvnl/NpvNb15rDFVOmwAbur"
    "eIcfjA8egM0WJz9nY6RHeRQKbBlB654CXMtFHGTiUWmegTww99FfxSn/V0HV/EqH/Vuxm1"
    "rz7EeuGiPeqJElVa5wnrQXJbs3wI+NQfvQPiT/BlOOhJnISyqStrDP1GXxTRJugxomFyr0"
    "EjyiQwB6ZYN1uQMs3EY+LhKn2dEr6GDt/OOiP3TxR8Qny5ZH9QcNwCM+Aix5qDe14TB/Ys"
    "RoPI/Ca3kTRFGMZQv72HrqHFSiKzA8F3yKVQoKQpU7Yf/vb9NbKkU8rICFLkyKN2dzIIrf"
    "74lVyJSrLArhbZqp20QAyn8pVE3aKmNGZpskOCaY70kPRcq/ywFxn2IkN9MoT1iwy3aF4G"
    "r+++HrSbGLvKuT8C3pydexQJHeFNJSHhtFkIdTOHdTMJmzLIvJTFJpt3GLG90cyzDqaUpM"
    "5DGoCDN8hk0gC6RSiqpt+sX0WjOlws4Brf1dPFGlFYS0sLfnrCw/plHR9cpewrGbsz2/Fn"
    "mX6JFKRSN8cC9zl2rTtZJsk2opRv5qvm2PHw/Udd5/4OjnNTj54y05pE1H/nNzvwFa8jxV"
    "nRJ1ZBr1J+S1xkTvF7NJew+7xVEOtpJx8pB/U7BjlLgeBmF94vs+3kAOMM+Jujhf7bbd90"
    "2xc95bGI+OPPRb+p+1wtnvKEgG9U8glwpag9EZLZQo8dcdrcFRPDdJEe9Dslnquj/W2TvR"
    "D0v3+ym86TY+O+KORYUJ0x88eJWyb+KWvpg/ki5/LZx/Irmht/t1Kim++/RQmIoYeyGlDF"
    "kawW0R7UbO1BXdEegrbH8Y64NR1v4L9FvJtCm5eD9D6PYulHgPDgqv35RSwFuRwO/grcI8"
    "i7l8NOUtBcro8lhnMsqMZimuLwDeCEuDbwdx51upPG07cZSUkbsrGHEVsc6NH8pgz6IK4B"
    "pLLM4WN2dl5Ry9/AvSrMEE6ZZLLphxE1HvG1ubfGq5uYBvLz3URibBGYJUDEwhKgJyJu91"
    "DnoL0Yfuxc9sCH6163f9MfDuI6kiyUSczyjtR1r325vyT1HAU9nkybd8ida+WPIFNCt7iA"
    "8PwC8eqNsgtIENcADsIG7+YGoHwCbgAP+y8km1VlOV976jWBpuW5qML55Grk01tdNrJ9Em"
    "OhwpwXCdsfYNR5voteCit5iLEauT/IKHCQkbiF97uHGU/zSmUjeaCxOtjKHmpsUrFvI9fU"
    "Z0qKYO+XNPL0ehj67K9k7tJn3shR4sVwLSkSR0LqLBFX1S9PTooImCcn2QqmKEuoO07KP2"
    "3lSDtO2r9rPQW6h81C1zCbOdcwmyvXMHmN6fLN3zfDQeauIEO/MUydgV/AMuku7gpy4AoY"
    "+YJxUhtO7OPEAzppu4ZtLmaP/wIHjcVU"
)
