"""Maps the top-level generator/ and runtime/ folders to podium.generator and podium.runtime.

DESIGN.md keeps them at the top of the repository; installing them under the podium namespace
keeps generic names like `runtime` out of a user's site-packages.
"""

from setuptools import find_packages, setup

MAPPED = {"generator": "podium.generator", "runtime": "podium.runtime"}


def mapped_packages() -> tuple[list[str], dict[str, str]]:
    packages = ["podium", *find_packages(include=["podium.*"])]
    package_dir = {"podium": "podium"}
    for folder, name in MAPPED.items():
        package_dir[name] = folder
        packages.append(name)
        packages += [f"{name}.{sub}" for sub in find_packages(where=folder)]
    return sorted(set(packages)), package_dir


packages, package_dir = mapped_packages()
setup(
    packages=packages,
    package_dir=package_dir,
    package_data={
        "": ["py.typed", "*.json", "*.md", "*.yaml", "*.j2"],
        "podium.generator": ["templates/**/*"],
    },
    include_package_data=True,
)
