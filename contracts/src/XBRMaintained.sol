// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * Maintainer set shared by the XBR contracts (docs/protocol.md#xbr-maintained). The deployer is the first maintainer.
 *
 * Fixes docs/protocol.md#chain-defect-8: the original delegated to OpenZeppelin AccessControl without an admin role, so
 * `addMaintainer` and `renounceMaintainer` always reverted. Here any maintainer may add or remove
 * maintainers, and the set can never become empty (that would lock every maintainer-only function).
 */
contract XBRMaintained {
    /// Whether an address is a maintainer.
    mapping(address => bool) private maintainers;

    /// Number of maintainers (always >= 1).
    uint256 public maintainerCount;

    event MaintainerAdded(address indexed account);
    event MaintainerRemoved(address indexed account);

    modifier onlyMaintainer() {
        require(maintainers[msg.sender], "NOT_MAINTAINER");
        _;
    }

    constructor() {
        maintainers[msg.sender] = true;
        maintainerCount = 1;
        emit MaintainerAdded(msg.sender);
    }

    /// True if `account` is a maintainer.
    function isMaintainer(address account) public view returns (bool) {
        return maintainers[account];
    }

    /// Adds `account` as a maintainer (maintainers only).
    function addMaintainer(address account) public onlyMaintainer {
        require(account != address(0), "INVALID_MAINTAINER");
        require(!maintainers[account], "ALREADY_MAINTAINER");
        maintainers[account] = true;
        unchecked {
            maintainerCount += 1;
        }
        emit MaintainerAdded(account);
    }

    /// Removes `account` from the maintainers (maintainers only; never the last one).
    function removeMaintainer(address account) public onlyMaintainer {
        _removeMaintainer(account);
    }

    /// The caller gives up its maintainer role (never the last one).
    function renounceMaintainer() public onlyMaintainer {
        _removeMaintainer(msg.sender);
    }

    function _removeMaintainer(address account) private {
        require(maintainers[account], "NO_SUCH_MAINTAINER");
        require(maintainerCount > 1, "LAST_MAINTAINER");
        maintainers[account] = false;
        unchecked {
            maintainerCount -= 1;
        }
        emit MaintainerRemoved(account);
    }
}
