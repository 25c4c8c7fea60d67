-- The example source database of compose.yaml: two tables with a few rows.
CREATE TABLE public.customers (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  email text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE public.orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES public.customers (id),
  amount numeric(12,2) NOT NULL,
  status text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO public.customers (id, name, email)
SELECT i, 'customer ' || i, 'customer' || i || '@example.com' FROM generate_series(1, 100) AS i;
INSERT INTO public.orders (id, customer_id, amount, status)
SELECT i, 1 + i % 100, round((i % 1000) * 1.25, 2), 'new' FROM generate_series(1, 1000) AS i;
