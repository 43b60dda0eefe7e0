"""Learner-shaped implementations of every catalogued bug, used to validate the catalog."""

import torch
import torch.nn.functional as F


def _with_null(null):
    def drop_condition(labels, p_uncond, num_classes):
        drop = torch.rand(labels.shape, device=labels.device) < p_uncond
        return torch.where(drop, torch.full_like(labels, null(num_classes)), labels)

    return drop_condition


def _inverted_mask(labels, p_uncond, num_classes):
    keep = torch.rand(labels.shape, device=labels.device) < p_uncond
    return torch.where(keep, labels, torch.full_like(labels, num_classes))


def _in_place(labels, p_uncond, num_classes):
    labels[torch.rand(labels.shape, device=labels.device) < p_uncond] = num_classes
    return labels


def _one_coin(labels, p_uncond, num_classes):
    if torch.rand(()) < p_uncond:
        return torch.full_like(labels, num_classes)
    return labels.clone()


def _zeroed_labels(labels, p_uncond, num_classes):
    keep = (torch.rand(labels.shape, device=labels.device) >= p_uncond).long()
    return labels * keep


def _one_hot_context(labels, p_uncond, num_classes):
    context = F.one_hot(labels, num_classes).float()
    keep = torch.bernoulli(torch.full((len(labels), 1), 1 - p_uncond, device=labels.device))
    return context * keep


BUGS = {
    "cfg.inverted_mask": _inverted_mask,
    "cfg.null_zero": _zeroed_labels,
    "cfg.null_minus_one": _with_null(lambda num_classes: -1),
    "cfg.null_last_class": _with_null(lambda num_classes: num_classes - 1),
    "cfg.in_place": _in_place,
    "cfg.one_coin_per_batch": _one_coin,
    "cfg.one_hot_context": _one_hot_context,
}
