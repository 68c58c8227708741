"""Sections 4 to 8 of a generated script: cost, its derivative, backpropagation, update, loop."""
from __future__ import annotations

import inspect

from core import optimizers as core_optimizers
from core.codegen import rules
from core.codegen.plan import Plan
from core.codegen.snippets import losses, optimizers
from core.codegen.text import BANNERS, Copier, code, constant

_MEAN_COST = code('''
    def cost(y, y_hat):
        """The cost: the mean of the examples' losses."""
        return np.mean(loss(y, y_hat))
''')


def cost_sections(run: Plan) -> tuple:
    """Sections 4 and 5: the cost function and its derivative (or the fused output delta)."""
    name, output = run.loss.name, run.output
    copier = Copier(losses, {f"{name}_loss": "loss", f"{name}_cost": "cost",
                             f"{name}_cost_derivative": "cost_derivative",
                             f"{output}_{name}_output_delta": "output_delta"})
    return _cost_section(run, copier), _derivative_section(run, copier)


def _cost_section(run: Plan, copier) -> str:
    name = run.loss.name
    out = [BANNERS[3], f"# {run.loss.display_name}. The loss of one example: {run.loss.formula}",
           "# The cost: " + ("the root of the mean of the examples' squared errors."
                             if name == "rmse" else "the mean of the n examples' losses.")]
    has_cost = f"{name}_cost" in copier  # RMSE's cost is not a mean of the losses
    out += ["", copier.copy(f"{name}_loss", *([f"{name}_cost"] if has_cost else []))]
    if not has_cost:
        out += ["", "", _MEAN_COST]
    rate = run.config.reg_rate
    # Maxout's second pieces are weights too; PReLU's slopes, like biases, are not penalized.
    weights, which = (("Ws + Ws_2", "weights of every layer and maxout piece")
                      if run.hidden == "maxout" else ("Ws", "weights of every layer"))
    if run.regularization == "l2":
        out += ["", "", constant("L2_RATE", rate, "λ: the weight of the L2 penalty"), "", "",
                code(f'''
            def regularization():
                """L2 penalty (λ/2)·ΣW² over the {which} (biases are not penalized)."""
                return 0.5 * L2_RATE * sum(np.sum(W * W) for W in {weights})
        ''')]
    elif run.regularization == "l1":
        out += ["", "", constant("L1_RATE", rate, "λ: the weight of the L1 penalty"), "", "",
                code(f'''
            def regularization():
                """L1 penalty λ·Σ|W| over the {which} (biases are not penalized)."""
                return L1_RATE * sum(np.sum(np.abs(W)) for W in {weights})
        ''')]
    if run.regularization == "none":
        why = ("" if run.config.regularization == "none"
               else f" ({run.config.regularization.upper()} with rate 0)")
        out += ["", "", f"# This run has no regularization{why}: the cost is the mean loss "
                        "alone.", code('''
            def total_cost(X, y):
                """The cost of the network's predictions for the examples (X, y)."""
                return float(cost(y, predict(X)))
        ''')]
    else:
        out += ["", "", code('''
            def total_cost(X, y):
                """The cost of the network on the examples (X, y): mean loss + regularization."""
                return float(cost(y, predict(X)) + regularization())
        ''')]
    return "\n".join(out)


def _derivative_section(run: Plan, copier) -> str:
    out = [BANNERS[4]]
    if run.mistake:
        return "\n".join(out + [_MISTAKE_NOTE, copier.copy(f"{run.loss.name}_cost_derivative"),
                                "", "", code(f'''
            def output_delta(y, y_hat, z):
                """d cost / d z of the output layer, WITH THE CLASSIC MISTAKE: each example's
                loss (divided by n, as the cost is a mean) where d cost / d ŷ belongs."""
                wrong = np.repeat((loss(y, y_hat) / len(y_hat))[:, None], y_hat.shape[1], axis=1)
                # right = cost_derivative(y, y_hat)   # the derivative: what belongs here
                return {run.output}_backward(wrong, z, y_hat)
        ''')])
    if run.fused:
        out += ["# For this pair of output activation and cost, the chain rule simplifies.",
                copier.copy(f"{run.output}_{run.loss.name}_output_delta")]
    else:
        out += [copier.copy(f"{run.loss.name}_cost_derivative"), "", "", code(f'''
            def output_delta(y, y_hat, z):
                """d cost / d z of the output layer, the delta backpropagation starts from:
                d cost/d ŷ times the derivative of the output activation (the chain rule)."""
                return {run.output}_backward(cost_derivative(y, y_hat), z, y_hat)
        ''')]
    return "\n".join(out)


_MISTAKE_NOTE = code('''
    # THIS RUN KEEPS THE MISTAKE OF THE CLASSIC NUMPY XOR CODE (the app's classic-mistake switch).
    # Backpropagation must start from the derivative of the cost, cost_derivative(y, y_hat) below.
    # The classic code started from the loss itself, delta = 0.5 * (y_hat - y) ** 2 * f'(z), and so
    # does output_delta here. A loss is never negative, so every output delta pushes its output the
    # same way, whatever the target: the outputs drift towards 0 and the cost stops falling.
''')


def _penalty_gradient(run: Plan, weights, grads) -> str:
    """The lines adding the regularization's gradient to ``grads`` (those of ``weights``)."""
    if run.regularization == "l2":
        return f"""
            for l in range(len({weights})):
                {grads}[l] += L2_RATE * {weights}[l]   # d/dW of (λ/2)·ΣW²"""
    if run.regularization == "l1":
        return f"""
            for l in range(len({weights})):
                {grads}[l] += L1_RATE * np.sign({weights}[l])   # d/dW of λ·Σ|W|"""
    return ""


def backprop_section(run: Plan) -> str:
    """Section 6: the gradients of the cost for every parameter array."""
    reg = _penalty_gradient(run, "Ws", "dWs")
    if run.hidden == "maxout":
        reg += _penalty_gradient(run, "Ws_2", "dWs_2")
        return "\n".join([BANNERS[5], code(f'''
        def gradients(X, y):
            """Gradients of the cost on the examples (X, y) for every W and b, and for the second
            maxout pieces W_2 and b_2 of the hidden layers, by backpropagation."""
            a, z = forward(X)
            delta = output_delta(y, a[-1], z[-1])   # section 5: d cost / d z of the output layer
            dWs, dbs = [None] * len(Ws), [None] * len(bs)
            dWs_2, dbs_2 = [None] * len(Ws_2), [None] * len(bs_2)
            out = len(Ws) - 1
            dWs[out] = a[out].T @ delta        # d cost / d Ws[out], shaped like Ws[out]
            dbs[out] = delta.sum(axis=0)       # d cost / d bs[out], shaped like bs[out]
            grad_a = delta @ Ws[out].T         # d cost / d a: the last hidden layer's output
            for l in reversed(range(out)):     # the maxout layers, from the last one back
                d1, d2 = maxout_backward(grad_a, z[l])   # d cost / d z of each piece
                dWs[l], dbs[l] = a[l].T @ d1, d1.sum(axis=0)
                dWs_2[l], dbs_2[l] = a[l].T @ d2, d2.sum(axis=0)
                if l > 0:   # both pieces pass the gradient back to layer l − 1's output
                    grad_a = d1 @ Ws[l].T + d2 @ Ws_2[l].T{reg}
            return dWs, dbs, dWs_2, dbs_2
        ''')])
    if run.hidden == "prelu":
        back = """
                if l > 0:   # back through Ws[l] and layer l − 1's PReLU (its slopes learn too)
                    delta, dslopes[l - 1] = prelu_backward(delta @ Ws[l].T, z[l - 1],
                                                           slopes[l - 1])"""
        start, returned = "\n            dslopes = [None] * len(slopes)", "dWs, dbs, dslopes"
        what = "every W and b, and for the PReLU slopes"
    else:
        back = (f"""
                if l > 0:   # pass the delta back through Ws[l] and the activation of layer l − 1
                    delta = {run.hidden}_backward(delta @ Ws[l].T, z[l - 1], a[l])"""
                if run.hidden else "")
        start, returned, what = "", "dWs, dbs", "every W and b"
    return "\n".join([BANNERS[5], code(f'''
        def gradients(X, y):
            """Gradients of the cost on the examples (X, y) for {what}, by backpropagation."""
            a, z = forward(X)
            delta = output_delta(y, a[-1], z[-1])   # section 5: d cost / d z of the output layer
            dWs, dbs = [None] * len(Ws), [None] * len(bs){start}
            for l in reversed(range(len(Ws))):
                dWs[l] = a[l].T @ delta        # d cost / d Ws[l], shaped like Ws[l]
                dbs[l] = delta.sum(axis=0)     # d cost / d bs[l], shaped like bs[l]{back}{reg}
            return {returned}
    ''')])


def _update_state(name) -> list:
    """The state arrays optimizer ``name``'s update keeps, one per parameter array."""
    parameters = inspect.signature(getattr(optimizers, f"{name}_update")).parameters
    return [p for p in parameters if p not in ("params", "grads", "t", "lr")]


def update_section(run: Plan) -> str:
    """Section 7: the optimizer's settings and state, its update, and the learning-rate
    schedule when the rate changes over the steps."""
    cfg, name = run.config, run.config.optimizer
    opt = core_optimizers.optimizer_class(name)
    scheduled = rules.is_scheduled(cfg)
    constants = {"LEARNING_RATE": constant(
        "LEARNING_RATE", cfg.learning_rate,
        "η: the step size" + (" (the schedule's base rate)" if scheduled else ""))}
    constants.update((key.upper(), constant(key.upper(), getattr(cfg, key), opt.descriptions[key]))
                     for key in opt.defaults)
    out = [BANNERS[6].format(optimizer=opt.display_name), *constants.values()]
    out.append(" + ".join(("params = Ws + bs",) + run.extra) + "   # every array the optimizer "
               "changes (the arrays themselves, not copies)")
    out += [f"{state} = [np.zeros_like(theta) for theta in params]   # optimizer state, one "
            f"array per parameter array" for state in _update_state(name)]
    # The constants above are this run's; the module's own values are never copied.
    copier = Copier(optimizers, {f"{name}_update": "update"}, given=constants)
    out += ["", "", copier.copy(f"{name}_update")]
    if scheduled:
        out += ["", "", "# The learning rate changes over the steps: update k uses "
                        "learning_rate(k).", rules.schedule_code(cfg)]
    return "\n".join(out)


def loop_section(run: Plan) -> str:
    """Section 8: the mini-batches, the updates, the stopping rules and the printed costs."""
    cfg = run.config
    every = max(1, run.steps // 10)
    grads = ("dWs", "dbs") + tuple(f"d{name}" for name in run.extra)
    args = ["params", " + ".join(grads), *_update_state(cfg.optimizer)]
    if "t" in inspect.signature(getattr(optimizers, f"{cfg.optimizer}_update")).parameters:
        args.append("t")
    args.append(rules.rate_expression(cfg))
    call = f"update({', '.join(args)})"
    stops = rules.has_rules(cfg)
    out = [BANNERS[7],
           "# Each step trains on a mini-batch of BATCH_SIZE examples taken in a shuffled order; "
           "after each",
           "# pass over the training data (an epoch) the order is shuffled again. The shuffling "
           "has its own",
           f"# random generator, seeded [{cfg.seed}, 1] as in the app.",
           constant("STEPS", run.steps, "mini-batch updates to run"),
           constant("BATCH_SIZE", cfg.batch_size, "examples per update"),
           constant("PRINT_EVERY", every, "print the cost every this many steps")]
    if stops:
        out += ["", "# The run's stopping rules: the loop ends early when one of them says so.",
                rules.stopping_constants(cfg, run.with_test)]
        if cfg.target_cost is not None:
            out += ["", "", rules.records_code(), ""]
    left_out = rules.left_out(cfg, run.with_test)
    if left_out:
        out.append(left_out)
    state = ["shuffle_rng = np.random.default_rng([{seed}, 1])".format(seed=cfg.seed),
             "n_train = len(X_train)",
             "order = shuffle_rng.permutation(n_train)",
             "position = 0"]
    if stops:
        state.append("epoch = 0   # reshuffles so far")
        if cfg.patience is not None and run.with_test:
            state.append(rules.early_stopping_state())
    reshuffle = ["    order = shuffle_rng.permutation(n_train)", "    position = 0"]
    if stops:
        reshuffle.append("    epoch += 1")
    body = ["if position >= n_train:   # the epoch is over: shuffle again", *reshuffle,
            "batch = order[position:position + BATCH_SIZE]   # an epoch's last batch may be "
            "smaller",
            "position += BATCH_SIZE",
            f"{', '.join(grads)} = gradients(X_train[batch], y_train[batch])",
            call,
            "if t % PRINT_EVERY == 0:",
            '    print(f"step {t:6d}   train cost {total_cost(X_train, y_train):.6f}")']
    if stops:
        body += rules.stopping_checks(cfg, run.with_test).split("\n")
    out += ["", *state,
            'print(f"step      0   train cost {total_cost(X_train, y_train):.6f}")',
            "for t in range(1, STEPS + 1):",
            *("    " + line for line in body),
            "",
            'print(f"final train cost: {total_cost(X_train, y_train)!r}")']
    if run.with_test:
        out.append('print(f"final test cost: {total_cost(X_test, y_test)!r}")')
    return "\n".join(out)
