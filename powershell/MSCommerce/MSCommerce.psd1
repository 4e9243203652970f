@{
    RootModule           = 'MSCommerce.psm1'
    ModuleVersion        = '3.1.0'
    GUID                 = '8c796fbc-2dc3-470d-b9cc-570fc341b324'
    Author               = 'mscommerce contributors'
    CompanyName          = 'mscommerce'
    Copyright            = '(c) mscommerce contributors. MIT License.'
    Description          = 'Manage the self-service purchase policy of an mscommerce service: the six cmdlets of Microsoft''s MSCommerce module with the same parameters, plus unattended sign-in, pipelines, -WhatIf, an audit log, a one-command baseline, and the self-service subscriptions themselves (list, license holders, CSV export, take-over by moving users or cancelling). Windows PowerShell 5.1 and PowerShell 7 on Windows, Linux and macOS.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('MSCommerce.Format.ps1xml')
    FunctionsToExport    = @(
        'Connect-MSCommerce'
        'Disconnect-MSCommerce'
        'Export-MSCommerceLicenseUser'
        'Get-MSCommerceAuditLog'
        'Get-MSCommerceLicense'
        'Get-MSCommercePolicies'
        'Get-MSCommercePolicy'
        'Get-MSCommerceProductPolicies'
        'Get-MSCommerceProductPolicy'
        'Get-MSCommerceSubscription'
        'Move-MSCommerceSubscriptionUser'
        'New-MSCommerceSubscription'
        'Set-MSCommerceProductPolicyBaseline'
        'Stop-MSCommerceSubscription'
        'Update-MSCommerceProductPolicy'
    )
    CmdletsToExport      = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Microsoft', 'Commerce', 'Licensing', 'SelfServicePurchase', 'MSCommerce', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = '3.1.0: calls written for Microsoft''s module 1.x bind again (Connect-MSCommerce -AdminAccount, positional Get-MSCommerceProductPolicy), the version is above Microsoft''s 3.0.1, and New-MSCommerceSubscription asks before buying (ConfirmImpact High). See CHANGELOG.md and docs/POWERSHELL.md.'
        }
    }
}
