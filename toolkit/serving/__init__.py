"""The serving layer: how the apps in notebooks/ reach a browser, one Voilà server per app.

server.py supervises a Voilà child process serving one notebook (`python -m toolkit.serving
NOTEBOOK`, `safeshare serve`); voila_repairs.py runs inside that Voilà process, with
sign_in.py (the trainer's sign-in); warm_room.py tracks the server's warm kernels;
lean_kernel.py is the kernelspec they run under; page_template.py and jupyter/ are the page
template, which loads nothing from other hosts; admission.py holds the learner server's
rules (kernel cap, per-client rate), which kernel_room.py applies inside Voilà, pausing
idle pages with pausing.py. The package imports nothing itself, so the Voilà process that
loads voila_repairs.py does not also load the supervisor.
"""
